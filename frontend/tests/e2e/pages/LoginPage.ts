/** /login: password sign-in and the language switch in the card. */
import type { Page } from 'playwright-core'
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
}
