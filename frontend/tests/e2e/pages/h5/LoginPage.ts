/** The owner app's /h5/login: password or SMS-code sign-in (a new number becomes an account). Shared with H2's specs. */
import type { Page } from 'playwright-core'
import { DEMO_PASSWORD } from '../../support/env'

export class H5LoginPage {
  constructor(private readonly page: Page) {}

  /** Open /h5/login (or where a signed-out visit to `path` lands) and wait for the form. */
  async goto(path = '/h5/login'): Promise<this> {
    await this.page.goto(path)
    await this.page.locator('[data-test="submit"]').waitFor()
    return this
  }

  private input(testId: string) {
    return this.page.locator(`[data-test="${testId}"] input`)
  }

  /** Sign in with a password and wait until the app has left the login screen. */
  async loginWithPassword(phone: string, password = DEMO_PASSWORD): Promise<void> {
    await this.page.locator('.van-tab').nth(1).click()
    await this.input('phone').fill(phone)
    await this.input('password').fill(password)
    await this.page.locator('[data-test="submit"]').click()
    await this.page.waitForURL((url) => url.pathname.startsWith('/h5') && !url.pathname.startsWith('/h5/login'))
  }

  /** Ask for a login code for `phone` (the SMS tab is the default one). */
  async sendCode(phone: string): Promise<void> {
    await this.page.locator('.van-tab').nth(0).click()
    await this.input('phone').fill(phone)
    await this.page.locator('[data-test="send-code"]').click()
  }

  /** The send button's text: "获取验证码", or the countdown ("59 秒后重发") once a code went out. */
  sendCodeLabel(): Promise<string> {
    return this.page.locator('[data-test="send-code"]').innerText()
  }

  /** Type the code and sign in; waits until the app has left the login screen. */
  async loginWithCode(code: string): Promise<void> {
    await this.input('code').fill(code)
    await this.page.locator('[data-test="submit"]').click()
    await this.page.waitForURL((url) => !url.pathname.startsWith('/h5/login'))
  }
}
