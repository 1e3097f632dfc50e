/** The owner app's tab pages: 首页 (module tiles), 我的 (profile: name, elder mode, sign out). */
import type { Page } from 'playwright-core'

export class H5ShellPage {
  constructor(private readonly page: Page) {}

  async gotoHome(): Promise<this> {
    await this.page.goto('/h5/')
    await this.page.locator('[data-test="modules"]').waitFor()
    return this
  }

  async gotoProfile(): Promise<this> {
    await this.page.goto('/h5/profile')
    await this.page.locator('[data-test="elder-switch"]').waitFor()
    return this
  }

  /** The labels of the module tiles on the home page. */
  async tiles(): Promise<string[]> {
    await this.page.locator('[data-test="modules"] .van-grid-item').first().waitFor()
    return this.page.locator('[data-test="modules"] .van-grid-item').allInnerTexts().then((all) => all.map((t) => t.trim()))
  }

  async tab(name: '首页' | '消息' | '我的' | 'Home' | 'Messages' | 'Me'): Promise<void> {
    await this.page.locator('.van-tabbar-item').filter({ hasText: name }).click()
  }

  async setElder(on: boolean): Promise<void> {
    const sw = this.page.locator('[data-test="elder-switch"]')
    const checked = (await sw.getAttribute('aria-checked')) === 'true'
    if (checked !== on) await sw.click()
    await this.page.waitForFunction((want) => document.documentElement.classList.contains('elder') === want, on)
  }

  /** Type a name in the name dialog (opened for a new account, or from the 姓名 row) and save it. */
  async saveName(name: string): Promise<void> {
    const dialog = this.page.locator('.van-dialog:visible')
    await dialog.locator('[data-test="name-input"] input').fill(name)
    await dialog.locator('.van-dialog__confirm').click()
    await dialog.waitFor({ state: 'hidden' })
  }

  profileName(): Promise<string> {
    return this.page.locator('[data-test="profile-name"]').innerText()
  }
}
