/** The live ticket board (/repairs/board): one column per status, cards move without a reload. */
import type { Locator, Page } from 'playwright-core'
import { afterOperation, choose } from './ui'
import { TicketsDrawerPage } from './TicketsDrawerPage'

export type BoardColumn = 'submitted' | 'accepted' | 'assigned' | 'inProgress' | 'completed' | 'done'

export class TicketsBoardPage {
  constructor(private readonly page: Page) {}

  /** Open the board and wait for its first load (and for the live subscription to be set up). */
  async goto(query = ''): Promise<this> {
    await afterOperation(this.page, 'TicketBoard', () => this.page.goto(`/repairs/board${query}`))
    await this.page.locator('[data-test="board"]').waitFor()
    await this.page.locator('[data-test="board-live"][data-state="live"]').waitFor()
    return this
  }

  column(key: BoardColumn): Locator {
    return this.page.locator(`[data-test="board-column-${key}"]`)
  }

  /** A card by ticket number (e.g. R00000012), in one column or anywhere on the board. */
  card(number: string, column?: BoardColumn): Locator {
    const scope = column ? this.column(column) : this.page.locator('[data-test="board"]')
    return scope.locator(`[data-test="ticket-card"][data-number="${number}"]`)
  }

  /** Wait until a card shows up in a column: a new ticket or a move, from a live event (no reload). */
  async waitForCard(number: string, column: BoardColumn, timeout = 10_000): Promise<void> {
    await this.card(number, column).waitFor({ timeout })
  }

  /** Ticket numbers in a column, top to bottom. */
  async numbers(column: BoardColumn): Promise<string[]> {
    return this.column(column).locator('[data-test="ticket-card"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-number') ?? ''))
  }

  /** The column's count badge (all matching tickets, not only the cards shown). */
  async count(column: BoardColumn): Promise<number> {
    return Number((await this.column(column).locator('[data-test="column-count"]').innerText()).trim())
  }

  async technicianOn(number: string): Promise<string> {
    return (await this.card(number).locator('[data-test="card-technician"]').innerText()).trim()
  }

  async isUrgent(number: string): Promise<boolean> {
    return (await this.card(number).locator('[data-test="card-urgent"]').count()) > 0
  }

  /** Show the finished column (rated, closed, rejected, cancelled). */
  async showFinished(): Promise<void> {
    await afterOperation(this.page, 'TicketBoard', () => this.page.locator('[data-test="board-show-done"]').click())
  }

  /** Filter by urgency, by the option's label (e.g. 紧急 / Urgent). */
  async filterUrgency(label: string): Promise<void> {
    await afterOperation(this.page, 'TicketBoard', () => choose(this.page, this.page.locator('[data-test="filter-urgency"]'), label))
  }

  /** Open a card's drawer. */
  async open(number: string): Promise<TicketsDrawerPage> {
    await this.card(number).click()
    return new TicketsDrawerPage(this.page).ready()
  }
}
