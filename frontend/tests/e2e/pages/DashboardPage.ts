/** Property dashboard (/): figure cards and the units-per-community chart. */
import type { Page } from 'playwright-core'
import { settled } from './ui'

export class DashboardPage {
  constructor(private readonly page: Page) {}

  /** Open the dashboard with chart animation off (?noanim), so screenshots show the finished chart. */
  async goto(): Promise<this> {
    await this.page.goto('/?noanim')
    return this.ready()
  }

  /** Wait until the figures have arrived and the chart has drawn. */
  async ready(): Promise<this> {
    await this.page.locator('[data-test="stat-units"] .stat-value').filter({ hasText: /\d/ }).waitFor()
    await this.page.locator('[data-test="dashboard-chart"] canvas').waitFor()
    await settled(this.page)
    return this
  }

  title(): Promise<string> {
    return this.page.locator('.page-title').first().innerText()
  }

  async stat(key: 'communities' | 'units' | 'occupancy' | 'owners' | 'pending'): Promise<string> {
    return (await this.page.locator(`[data-test="stat-${key}"] .stat-value`).innerText()).trim()
  }

  async statLabel(key: 'communities' | 'units' | 'occupancy' | 'owners' | 'pending'): Promise<string> {
    return (await this.page.locator(`[data-test="stat-${key}"] .stat-label`).innerText()).trim()
  }
}
