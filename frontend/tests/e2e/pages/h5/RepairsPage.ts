/** The owner app's repairs: /h5/repairs (my tickets), /h5/repairs/new (report), /h5/repairs/:id (live detail). */
import type { Page } from 'playwright-core'

export interface Photo {
  name: string
  mimeType: string
  buffer: Buffer
}

export class RepairsPage {
  constructor(private readonly page: Page) {}

  async gotoList(): Promise<this> {
    await this.page.goto('/h5/repairs')
    await this.page.locator('[data-test="report-button"]').waitFor()
    return this
  }

  async openReport(): Promise<void> {
    await this.page.locator('[data-test="report-button"]').click()
    await this.page.locator('[data-test="report-submit"]').waitFor()
    await this.page.locator('[data-test^="category-"]').first().waitFor()
  }

  async chooseCategory(name: string): Promise<void> {
    await this.page.locator(`[data-test="category-${name}"]`).click()
  }

  async describe(text: string): Promise<void> {
    await this.page.locator('[data-test="description"] textarea').fill(text)
  }

  /** Add photos and wait until every one is shrunk and uploaded (its tile says done). */
  async addPhotos(photos: Photo[]): Promise<void> {
    const before = await this.page.locator('[data-test="media-photo"]').count()
    await this.page.locator('[data-test="photo-input"]').setInputFiles(photos)
    const total = before + photos.length
    await this.page.waitForFunction(
      (n) => document.querySelectorAll('[data-test="media-photo"][data-state="done"]').length === n,
      total,
    )
  }

  /** Choose a visit window: the day (0 = today) and the slot key (morning, afternoon, ...). */
  async chooseAppointment(day: number, slot: string): Promise<string> {
    await this.page.locator('[data-test="appointment"]').click()
    await this.page.locator('.van-sidebar-item').nth(day).click()
    await this.page.locator(`[data-test="slot-${slot}"]`).click()
    await this.page.locator(`[data-test="slot-${slot}"]`).waitFor({ state: 'hidden' })
    return (await this.page.locator('[data-test="appointment"] .van-cell__value').innerText()).trim()
  }

  async markUrgent(): Promise<void> {
    await this.page.locator('[data-test="urgency-urgent"]').click()
  }

  /** Send the report; returns the new ticket's id from the detail page's address. */
  async submit(): Promise<string> {
    await this.page.locator('[data-test="report-submit"]').click()
    await this.page.waitForURL((url) => /^\/h5\/repairs\/(?!new)[^/]+$/.test(url.pathname))
    await this.page.locator('[data-test="detail-status"]').waitFor()
    await this.toastGone()
    return decodeURIComponent(new URL(this.page.url()).pathname.split('/').pop()!)
  }

  async status(): Promise<string> {
    return (await this.page.locator('[data-test="detail-status"]').innerText()).trim()
  }

  /** Wait until the detail page shows this status text (it follows the ticket live). */
  async waitForStatus(text: string): Promise<void> {
    await this.page.locator('[data-test="detail-status"]', { hasText: text }).waitFor()
  }

  async callLink(): Promise<string | null> {
    const link = this.page.locator('[data-test="call-technician"]')
    return (await link.count()) ? link.getAttribute('href') : null
  }

  async technicianPosition(): Promise<string> {
    const cell = this.page.locator('[data-test="technician-position"]')
    await cell.waitFor()
    return (await cell.innerText()).replace(/\s+/g, ' ').trim()
  }

  async timeline(): Promise<string[]> {
    return this.page.locator('[data-test="timeline-entry"]').allInnerTexts()
  }

  async photoCount(): Promise<number> {
    return this.page.locator('[data-test="ticket-photo"]').count()
  }

  /** Rate the repair (stars 1-5 for each of speed, quality and attitude) with a comment. */
  async rate(stars: { speed: number; quality: number; attitude: number }, comment: string): Promise<void> {
    await this.page.locator('[data-test="ticket-rate"]').click()
    const sheet = this.page.locator('[data-test="rate-sheet"]')
    await sheet.waitFor()
    for (const [name, value] of Object.entries(stars)) {
      await sheet.locator(`[data-test="rate-${name}"] [role="radio"]`).nth(value - 1).click()
    }
    await sheet.locator('[data-test="rate-comment"] textarea').fill(comment)
    await sheet.locator('[data-test="rate-submit"]').click()
    await sheet.waitFor({ state: 'hidden' })
    await this.toastGone()
  }

  /** Let the success toast ("报修已提交") go, so it does not cover the screen in the next picture. */
  private async toastGone(): Promise<void> {
    await this.page.locator('.van-toast').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined)
  }

  /** The rating as the detail shows it: stars per line (speed, quality, attitude) and the comment. */
  async ratingShown(): Promise<{ stars: number[]; comment: string }> {
    const rating = this.page.locator('[data-test="rating"]')
    await rating.waitFor()
    const stars = await rating.locator('.van-rate').evaluateAll((rates) =>
      rates.map((r) => r.querySelectorAll('[role="radio"][aria-checked="true"]').length))
    const comment = (await rating.locator('[data-test="rating-comment"]').innerText()).trim()
    return { stars, comment }
  }
}
