/** The layout around every console screen: side menu, language switch, user menu with sign-out. */
import type { Locator, Page } from 'playwright-core'

const LANG_LABEL = { 'zh-CN': '中文', en: 'English' } as const
export type Lang = keyof typeof LANG_LABEL

export class ShellPage {
  readonly menu: Locator

  constructor(private readonly page: Page) {
    this.menu = page.locator('[data-test="side-menu"]')
  }

  /** Wait for the shell with the signed-in person's name in the user menu. */
  async ready(): Promise<this> {
    await this.menu.waitFor()
    await this.page.locator('[data-test="user-menu"]').filter({ hasText: /\S/ }).waitFor()
    return this
  }

  brand(): Promise<string> {
    return this.page.locator('[data-test="brand"]').innerText()
  }

  userName(): Promise<string> {
    return this.page.locator('[data-test="user-menu"]').innerText()
  }

  /** Route names of the side-menu entries, in order (e.g. ['dashboard', 'communities', ...]). */
  async menuNames(): Promise<string[]> {
    await this.menu.locator('[data-test^="menu-"]').first().waitFor()
    const ids = await this.menu.locator('[data-test^="menu-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-test') ?? ''))
    return ids.map((id) => id.replace(/^menu-/, ''))
  }

  async menuLabel(name: string): Promise<string> {
    return (await this.menu.locator(`[data-test="menu-${name}"]`).innerText()).trim()
  }

  /** Open a screen from the side menu and wait for its URL. */
  async open(name: string, path: string): Promise<void> {
    await this.menu.locator(`[data-test="menu-${name}"]`).click()
    await this.page.waitForURL((url) => url.pathname === path)
  }

  async language(): Promise<string> {
    return this.page.evaluate(() => document.documentElement.lang)
  }

  /** Switch the console language with the top-bar switch and wait until the page has taken it. */
  async switchLanguage(lang: Lang): Promise<void> {
    await this.page.locator('[data-test="lang-switch"] .el-radio-button').filter({ hasText: LANG_LABEL[lang] }).click()
    await this.page.waitForFunction((l) => document.documentElement.lang === l, lang)
  }

  async logout(): Promise<void> {
    await this.page.locator('[data-test="user-menu"]').click()
    await this.page.locator('[data-test="logout"]:visible').click()
    await this.page.waitForURL((url) => url.pathname === '/login')
  }
}
