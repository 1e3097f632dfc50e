/** Binding requests (/bindings): the approval queue with its status filter. */
import type { Locator, Page } from 'playwright-core'
import { afterOperation, tableReady, tableRow, toast } from './ui'

export class BindingsPage {
  constructor(private readonly page: Page) {}

  async goto(): Promise<this> {
    await afterOperation(this.page, 'Bindings', () => this.page.goto('/bindings'))
    await tableReady(this.page)
    return this
  }

  /** The row of a request, found by text such as the applicant's name or "3号楼-101". */
  row(text: string | RegExp): Locator {
    return tableRow(this.page, text)
  }

  /** Show requests in one status, by the filter's label (e.g. 待审核 / Approved). */
  async filter(label: string): Promise<void> {
    const button = this.page.locator('[data-test="bindings-status"] .el-radio-button').filter({ hasText: label })
    await afterOperation(this.page, 'Bindings', () => button.click())
    await tableReady(this.page)
  }

  /** Approve a pending request and wait until it has left the pending list. */
  async approve(text: string | RegExp): Promise<void> {
    const row = this.row(text)
    await row.locator('[data-test="binding-approve"]').click()
    await toast(this.page, 'success')
    await row.waitFor({ state: 'detached' })
  }

  async status(text: string | RegExp): Promise<string> {
    return (await this.row(text).locator('[data-test="cell-status"]').innerText()).trim()
  }
}
