/** The ticket list (/repairs/tickets): search, filters, paging and the .xlsx export. */
import type { Download, Locator, Page } from 'playwright-core'
import { afterOperation, tableReady, tableRow } from './ui'
import { TicketsDrawerPage } from './TicketsDrawerPage'

export class TicketsListPage {
  constructor(private readonly page: Page) {}

  /** Open the list, optionally with filters in the URL (e.g. '?status=SUBMITTED,ACCEPTED&urgency=URGENT'). */
  async goto(query = ''): Promise<this> {
    await afterOperation(this.page, 'Tickets', () => this.page.goto(`/repairs/tickets${query}`))
    await tableReady(this.page)
    return this
  }

  /** Search by ticket number or words of the description. */
  async search(text: string): Promise<void> {
    await this.page.locator('input[data-test="filter-search"], [data-test="filter-search"] input').first().fill(text)
    await afterOperation(this.page, 'Tickets', () => this.page.locator('[data-test="filter-submit"]').click())
    await tableReady(this.page)
  }

  row(number: string | RegExp): Locator {
    return tableRow(this.page, number)
  }

  /** Ticket numbers of the rows on screen. */
  async numbers(): Promise<string[]> {
    const cells = this.page.locator('[data-test="table"] [data-test="table-row"] .number')
    return (await cells.allInnerTexts()).map((s) => s.trim())
  }

  async status(number: string): Promise<string> {
    return (await this.row(number).locator('[data-test="cell-status"]').innerText()).trim()
  }

  /** Click Export and return the download (an .xlsx of the rows the filters select). */
  async export(): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.locator('[data-test="export-tickets"]').click()])
    return download
  }

  async open(number: string): Promise<TicketsDrawerPage> {
    await this.row(number).locator('[data-test="ticket-view"]').click()
    return new TicketsDrawerPage(this.page).ready()
  }
}
