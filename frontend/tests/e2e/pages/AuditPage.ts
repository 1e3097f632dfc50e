/** /audit (and /platform/audit): the audit log, its filters and the details drawer. */
import type { Locator, Page } from 'playwright-core'
import { afterOperation, tableReady, tableRow } from './ui'

export class AuditPage {
  constructor(private readonly page: Page) {}

  /** Open the log: a table on a wide screen, one card per entry on a phone. */
  async goto(path = '/audit'): Promise<this> {
    await afterOperation(this.page, 'AuditLogs', () => this.page.goto(path))
    if (await this.isPhone()) await this.page.locator('[data-test="audit-cards"]').waitFor()
    else await tableReady(this.page)
    return this
  }

  private isPhone(): Promise<boolean> {
    return this.page.evaluate(() => window.matchMedia('(max-width: 767px)').matches)
  }

  /** The row (or card) that mentions `text` (an action's label, a target's name). */
  row(text: string | RegExp): Locator {
    return tableRow(this.page, text).or(this.page.locator('[data-test="audit-card"]').filter({ hasText: text }))
  }

  /** Action labels of the rows shown, top to bottom. */
  async actions(): Promise<string[]> {
    return (await this.page.locator('[data-test="audit-action-label"]').allInnerTexts()).map((s) => s.trim())
  }

  /** The text of every cell of the table: to check that no raw code or ID is shown. */
  tableText(): Promise<string> {
    return this.page.locator('[data-test="table"] .el-table__body').innerText()
  }

  /** Open the details drawer of a row; returns the drawer. */
  async open(text: string | RegExp): Promise<Locator> {
    await this.row(text).first().locator('[data-test="audit-detail"]').click()
    const drawer = this.page.locator('.el-drawer:visible')
    await drawer.waitFor()
    return drawer
  }

  async closeDrawer(): Promise<void> {
    await this.page.keyboard.press('Escape')
    await this.page.locator('.el-drawer:visible').waitFor({ state: 'hidden' })
  }

  /** Whether the page itself scrolls sideways (tables may scroll inside their card; the page must not). */
  pageScrollsSideways(): Promise<boolean> {
    return this.page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1)
  }
}
