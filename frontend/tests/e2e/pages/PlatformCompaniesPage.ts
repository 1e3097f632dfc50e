/** Platform console, property companies (/platform/companies): list, search and the create dialog. */
import type { Locator, Page } from 'playwright-core'
import { afterOperation, dialog, fill, tableReady, tableRow, toast } from './ui'

export interface CompanyForm { name: string; adminName: string; adminPhone: string; adminPassword: string }

export class PlatformCompaniesPage {
  constructor(private readonly page: Page) {}

  async goto(): Promise<this> {
    await afterOperation(this.page, 'Companies', () => this.page.goto('/platform/companies'))
    await tableReady(this.page)
    return this
  }

  /** Create a company with its first administrator and wait for the list to reload. */
  async create(form: CompanyForm): Promise<void> {
    await this.page.locator('[data-test="company-create"]').click()
    const d = dialog(this.page, 'company-dialog')
    await fill(d, 'field-name', form.name)
    await fill(d, 'field-adminName', form.adminName)
    await fill(d, 'field-adminPhone', form.adminPhone)
    await fill(d, 'field-adminPassword', form.adminPassword)
    // Saving reloads the list: wait for that answer, not only for the dialog to close.
    await afterOperation(this.page, 'Companies', () => d.locator('[data-test="dialog-submit"]').click())
    await toast(this.page, 'success')
    await d.waitFor({ state: 'hidden' })
    await tableReady(this.page)
  }

  async search(text: string): Promise<void> {
    await fill(this.page, 'companies-search', text)
    await afterOperation(this.page, 'Companies', () => this.page.locator('[data-test="companies-search"]').press('Enter'))
    await tableReady(this.page)
  }

  row(name: string): Locator {
    return tableRow(this.page, name)
  }

  async names(): Promise<string[]> {
    const table = await tableReady(this.page)
    return (await table.locator('[data-test="table-row"]').allInnerTexts()).map((s) => s.trim())
  }

  async status(name: string): Promise<string> {
    return (await this.row(name).locator('[data-test="cell-status"]').innerText()).trim()
  }
}
