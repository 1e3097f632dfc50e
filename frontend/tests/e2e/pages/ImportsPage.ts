/** Excel import (/imports): pick a kind, upload an .xlsx, read the preview's row errors, commit. */
import type { Locator, Page } from 'playwright-core'
import { afterOperation } from './ui'

export class ImportsPage {
  readonly preview: Locator

  constructor(private readonly page: Page) {
    this.preview = page.locator('[data-test="import-preview"]')
  }

  async goto(): Promise<this> {
    await this.page.goto('/imports')
    await this.page.locator('[data-test="import-kind"]').waitFor()
    return this
  }

  async chooseKind(kind: 'BUILDINGS' | 'UNITS' | 'OWNERS'): Promise<void> {
    await this.page.locator(`[data-test="import-kind"] [data-kind="${kind}"]`).click()
  }

  /** Upload a file through the (hidden) file input and wait until its preview and rows are on screen. */
  async upload(file: string): Promise<void> {
    // The upload itself is multipart (Chromium does not expose its body to match on); the rows query that follows
    // a new preview is plain JSON.
    await afterOperation(this.page, 'ImportRows', () => this.page.locator('[data-test="import-file"]').setInputFiles(file))
    await this.preview.locator('[data-test="import-file-name"]').filter({ hasText: file.split('/').pop() ?? '' }).waitFor()
    await this.preview.locator('[data-test="import-preview-row"]').first().waitFor()
  }

  async counts(): Promise<{ total: string; valid: string; errors: string }> {
    const text = async (id: string) => (await this.preview.locator(`[data-test="${id}"]`).innerText()).trim()
    return { total: await text('import-total-rows'), valid: await text('import-valid-rows'), errors: await text('import-error-rows') }
  }

  /** The error texts of a spreadsheet row (row 1 is the header), and the codes behind them. */
  async rowErrors(rowNumber: number): Promise<{ texts: string[]; codes: string[]; columns: string[] }> {
    const cell = this.preview.locator(`[data-test="import-preview-row"][data-row="${rowNumber}"] [data-test="import-row-error"] > div`)
    return {
      texts: (await cell.allInnerTexts()).map((s) => s.trim()),
      codes: await cell.evaluateAll((els) => els.map((e) => e.getAttribute('data-code') ?? '')),
      columns: await cell.evaluateAll((els) => els.map((e) => e.getAttribute('data-column') ?? '')),
    }
  }

  commitButton(): Locator {
    return this.page.locator('[data-test="import-commit"]')
  }

  /** Import the previewed rows and wait for the success screen. */
  async commit(): Promise<string> {
    await this.commitButton().click()
    const done = this.page.locator('[data-test="import-done"]')
    await done.waitFor({ timeout: 30_000 })
    return (await done.innerText()).trim()
  }
}
