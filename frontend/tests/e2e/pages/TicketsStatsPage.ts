/** Repair statistics (/repairs/stats): a month's figures per technician, as a table and three charts. */
import type { Page } from 'playwright-core'
import { afterOperation, settled, tableReady, tableRow } from './ui'

export interface TechnicianFigures {
  completed: number
  rated: number
  speed: string
  quality: string
  attitude: string
  slaHitRate: string
}

export class TicketsStatsPage {
  constructor(private readonly page: Page) {}

  /** Open with chart animation off (?noanim) so screenshots show finished charts. */
  async goto(): Promise<this> {
    await afterOperation(this.page, 'TechnicianStats', () => this.page.goto('/repairs/stats?noanim'))
    await tableReady(this.page)
    return this
  }

  /** Fetch the figures again (after something changed elsewhere). */
  async refresh(): Promise<void> {
    await afterOperation(this.page, 'TechnicianStats', () => this.page.locator('[data-test="stats-refresh"]').click())
    await tableReady(this.page)
  }

  async chartsReady(): Promise<void> {
    await this.page.locator('[data-test="stats-ratings-chart"] canvas').waitFor()
    await this.page.locator('[data-test="stats-sla-chart"] canvas').waitFor()
    await this.page.locator('[data-test="stats-completion-chart"] canvas').waitFor()
    await settled(this.page)
  }

  summary(): Promise<string> {
    return this.page.locator('[data-test="stats-summary"]').innerText()
  }

  /** A technician's row, or null when they completed nothing in the month. */
  async figures(technician: string): Promise<TechnicianFigures | null> {
    const row = tableRow(this.page, technician)
    if ((await row.count()) === 0) return null
    const cell = async (prop: string) => (await row.locator(`[data-test="cell-${prop}"]`).innerText()).trim()
    return {
      completed: Number(await cell('completedCount')),
      rated: Number(await cell('ratedCount')),
      speed: await cell('avgSpeed'),
      quality: await cell('avgQuality'),
      attitude: await cell('avgAttitude'),
      slaHitRate: await cell('slaHitRate'),
    }
  }
}
