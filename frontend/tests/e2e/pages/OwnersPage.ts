/** Owners (/owners): search form and the owners table. */
import type { Locator, Page } from 'playwright-core'
import { afterOperation, fill, tableReady, tableRow } from './ui'

export class OwnersPage {
  constructor(private readonly page: Page) {}

  async goto(): Promise<this> {
    await afterOperation(this.page, 'Owners', () => this.page.goto('/owners'))
    await tableReady(this.page)
    return this
  }

  title(): Promise<string> {
    return this.page.locator('.page-title').first().innerText()
  }

  /** Search by name and wait for the answer. */
  async search(name: string): Promise<void> {
    await fill(this.page, 'owners-search', name)
    await afterOperation(this.page, 'Owners', () => this.page.locator('[data-test="owners-search-submit"]').click())
    await tableReady(this.page)
  }

  row(text: string | RegExp): Locator {
    return tableRow(this.page, text)
  }

  async names(): Promise<string[]> {
    const table = await tableReady(this.page)
    return (await table.locator('[data-test="table-row"]').allInnerTexts()).map((s) => s.trim())
  }

  async units(name: string): Promise<string> {
    return (await this.row(name).locator('[data-test="cell-units"]').innerText()).trim()
  }
}
