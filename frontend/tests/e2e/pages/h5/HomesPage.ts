/** The owner app's homes: /h5/homes (my homes) and /h5/homes/find (community → building → unit → role → request). */
import type { Page } from 'playwright-core'

export type Relation = 'OWNER' | 'FAMILY' | 'TENANT'

export class HomesPage {
  constructor(private readonly page: Page) {}

  async gotoList(): Promise<this> {
    await this.page.goto('/h5/homes')
    await this.page.locator('.homes-page[data-loaded="true"]').waitFor()
    return this
  }

  async gotoFind(): Promise<this> {
    await this.page.goto('/h5/homes/find')
    await this.page.locator('[data-test="community-search"]').waitFor()
    return this
  }

  /** Type into the community search and wait for its (debounced) answer. */
  async searchCommunity(text: string): Promise<string[]> {
    await this.page.locator('[data-test="community-search"] input').fill(text)
    await this.page.locator('[data-test="community-option"], [data-test="community-none"]').first().waitFor()
    return this.page.locator('[data-test="community-option"] .van-cell__title > span').allInnerTexts()
  }

  async chooseCommunity(name: string): Promise<string[]> {
    await this.page.locator('[data-test="community-option"]').filter({ hasText: name }).first().click()
    await this.page.locator('[data-test="building-option"]').first().waitFor()
    return this.page.locator('[data-test="building-option"]').allInnerTexts()
  }

  async chooseBuilding(name: string): Promise<void> {
    await this.page.locator('[data-test="building-option"]').filter({ hasText: name }).first().click()
    await this.page.locator('[data-test="unit-number"] input').waitFor()
  }

  /** Look a unit number up: the unit's label when found, else the message shown under the field. */
  async lookUpUnit(number: string): Promise<{ found: true; label: string } | { found: false; message: string }> {
    await this.page.locator('[data-test="unit-number"] input').fill(number)
    await this.page.locator('[data-test="unit-search"]').click()
    const found = this.page.locator('[data-test="unit-found"]')
    const error = this.page.locator('[data-test="unit-number"] .van-field__error-message')
    await found.or(error).first().waitFor()
    if (await found.isVisible()) return { found: true, label: (await found.locator('.found-label').innerText()).trim() }
    return { found: false, message: (await error.innerText()).trim() }
  }

  /** Choose how the person relates to the unit and send the request; waits for the "request sent" screen. */
  async request(relation: Relation): Promise<void> {
    await this.page.locator(`[data-test="relation-${relation}"]`).click()
    await this.page.locator('[data-test="binding-submit"]').click()
    await this.page.locator('[data-test="binding-sent"]').waitFor()
  }

  /** PENDING, APPROVED or REJECTED, as the request-sent screen shows it now. */
  async sentStatus(): Promise<string | null> {
    return this.page.locator('[data-test="binding-sent"]').getAttribute('data-status')
  }

  /** Wait until the request-sent screen shows this status (it changes live, without a reload). */
  async waitForSentStatus(status: 'APPROVED' | 'REJECTED'): Promise<void> {
    await this.page.locator(`[data-test="binding-sent"][data-status="${status}"]`).waitFor()
  }

  /** The requests under review as "my homes" lists them: the unit in words, as the server names it. */
  async pendingHomes(): Promise<string[]> {
    return this.page.locator('[data-test="home-pending"] .van-cell__title > span').allInnerTexts()
  }

  async approvedHomes(): Promise<string[]> {
    return this.page.locator('[data-test="home-approved"] .van-cell__title > span').allInnerTexts()
  }
}
