/** /login: password sign-in, the language switch and the 忘记密码 (password reset by SMS) panel. */
import type { Locator, Page } from 'playwright-core'
import { DEMO_PASSWORD } from '../support/env'
import { fill } from './ui'

export class LoginPage {
  constructor(private readonly page: Page) {}

  async goto(): Promise<this> {
    await this.page.goto('/login')
    await this.page.locator('[data-test="login-submit"]').waitFor()
    return this
  }

  title(): Promise<string> {
    return this.page.locator('[data-test="login-title"]').innerText()
  }

  submitLabel(): Promise<string> {
    return this.page.locator('[data-test="login-submit"]').innerText()
  }

  /** Sign in with a password and wait until the console has left the login screen. */
  async login(phone: string, password = DEMO_PASSWORD): Promise<void> {
    await fill(this.page, 'login-phone', phone)
    await fill(this.page, 'login-password', password)
    await this.page.locator('[data-test="login-submit"]').click()
    await this.page.waitForURL((url) => !url.pathname.startsWith('/login'))
  }

  /** The height of an element in CSS pixels: one line of the title or of the language switch, or more. */
  async height(testId: 'login-title' | 'lang-switch'): Promise<number> {
    const box = await this.page.locator(`[data-test="${testId}"]`).boundingBox()
    return box?.height ?? 0
  }

  async openReset(): Promise<void> {
    await this.page.locator('[data-test="login-forgot"]').click()
    await this.page.locator('[data-test="reset-title"]').waitFor()
  }

  async sendResetCode(phone: string): Promise<void> {
    await fill(this.page, 'reset-phone', phone)
    await this.page.locator('[data-test="reset-send-code"]').click()
  }

  /** Fill the reset form and submit it (the phone stays what sendResetCode typed). */
  async submitReset(code: string, password: string, confirm = password): Promise<void> {
    await fill(this.page, 'reset-code', code)
    await fill(this.page, 'reset-password', password)
    await fill(this.page, 'reset-confirm', confirm)
    await this.page.locator('[data-test="reset-submit"]').click()
  }

  /** The error shown under a reset field (code, password, confirm, phone), waiting for it to appear. */
  fieldError(field: 'phone' | 'code' | 'password' | 'confirm'): Locator {
    return this.page.locator(`.el-form-item:has([data-test="reset-${field}"]) .el-form-item__error`)
  }

  notice(): Locator {
    return this.page.locator('[data-test="reset-notice"]')
  }

  /** Back on the sign-in tabs after a successful reset. */
  async backOnLogin(): Promise<void> {
    await this.page.locator('[data-test="login-submit"]').waitFor()
  }
}
