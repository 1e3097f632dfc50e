/** The technician's phone view (/m): my tickets by tab, one ticket with its steps, photos and position sharing. */
import type { Locator, Page } from 'playwright-core'
import { afterOperation } from './ui'

export type WorkTab = 'todo' | 'grabbable' | 'done'
const TABS: readonly WorkTab[] = ['todo', 'grabbable', 'done']

export class WorkPage {
  constructor(private readonly page: Page) {}

  // ------------------------------------------------------------------------------------------ list

  async goto(tab: WorkTab = 'todo'): Promise<this> {
    await afterOperation(this.page, 'WorkTicketLists', () => this.page.goto(`/m/tickets?tab=${tab}`))
    await this.listReady(tab)
    return this
  }

  /** Wait until the console has landed on the phone view (after sign-in) and its list has loaded. */
  async ready(): Promise<this> {
    await this.page.waitForURL((url) => url.pathname.startsWith('/m/tickets'))
    await this.page.locator('[data-test="work-tab-count-todo"]').waitFor()
    return this
  }

  private async listReady(tab: WorkTab): Promise<void> {
    await this.page.locator(`[data-test="work-list"][data-tab="${tab}"]`).waitFor()
    await this.page.locator(`[data-test="work-tab-count-${tab}"]`).waitFor()
  }

  async chooseTab(tab: WorkTab): Promise<void> {
    await this.page.locator(`[data-test="work-tab-${tab}"]`).click()
    await this.listReady(tab)
  }

  async refresh(): Promise<void> {
    await afterOperation(this.page, 'WorkTicketLists', () => this.page.locator('[data-test="work-refresh"]').click())
  }

  /** How many tickets each tab says it has. */
  async counts(): Promise<Record<WorkTab, number>> {
    const out = {} as Record<WorkTab, number>
    for (const t of TABS) out[t] = Number(await this.page.locator(`[data-test="work-tab-count-${t}"]`).innerText())
    return out
  }

  /** Ticket numbers on the current tab, top to bottom. */
  cardNumbers(): Promise<string[]> {
    return this.page.locator('[data-test="work-card"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-number') ?? ''))
  }

  card(number: string): Locator {
    return this.page.locator(`[data-test="work-card"][data-number="${number}"]`)
  }

  /** Open a ticket by its number from whichever tab shows it (the current one first). */
  async openTicket(number: string): Promise<void> {
    if (!(await this.card(number).count())) {
      for (const t of TABS) {
        await this.chooseTab(t)
        if (await this.card(number).count()) break
      }
    }
    await this.card(number).click()
    await this.page.locator(`[data-test="work-number"]`).filter({ hasText: number }).waitFor()
  }

  // ---------------------------------------------------------------------------------------- detail

  /** The status as shown (translated), e.g. 维修中. */
  async statusText(): Promise<string> {
    return (await this.page.locator('[data-test="work-status"]').innerText()).trim()
  }

  /** The status as the API names it, e.g. IN_PROGRESS. */
  async status(): Promise<string> {
    return (await this.page.locator('[data-test="work-status"]').getAttribute('data-status')) ?? ''
  }

  async waitForStatus(status: string): Promise<void> {
    await this.page.locator(`[data-test="work-status"][data-status="${status}"]`).waitFor()
  }

  /** The tel: link of the call button, or null when the ticket shows no phone. */
  async callHref(): Promise<string | null> {
    const call = this.page.locator('[data-test="work-call"]')
    return (await call.count()) ? call.getAttribute('href') : null
  }

  /** Which step buttons are on screen: grab, acknowledge, start, note, complete. */
  async actions(): Promise<string[]> {
    return this.page.locator('[data-test="work-actions"] button').evaluateAll((els) => els.map((e) => (e.getAttribute('data-test') ?? '').replace(/^work-/, '')))
  }

  private async step(button: string, operation: string): Promise<void> {
    await afterOperation(this.page, operation, () => this.page.locator(`[data-test="${button}"]`).click())
  }

  async grab(): Promise<void> {
    await this.step('work-grab', 'WorkTicketGrab')
  }

  /** 接单: take the job assigned to me. */
  async accept(): Promise<void> {
    await this.step('work-acknowledge', 'WorkTicketAcknowledge')
    await this.page.locator('[data-test="work-acknowledge"]').waitFor({ state: 'detached' })
  }

  async start(): Promise<void> {
    await this.step('work-start', 'WorkTicketStart')
    await this.waitForStatus('IN_PROGRESS')
  }

  /** Step kinds of the timeline, newest first (CREATED, ACKNOWLEDGED, STARTED, NOTE, COMPLETED, ...). */
  timelineKinds(): Promise<string[]> {
    return this.page.locator('[data-test="work-timeline-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind') ?? ''))
  }

  /** Photos shown on the newest timeline step of this kind. */
  timelinePhotos(kind: string): Locator {
    return this.page.locator(`[data-test="work-timeline-item"][data-kind="${kind}"]`).first().locator('[data-test="work-gallery-image"]')
  }

  // ------------------------------------------------------------------------------ notes and completion

  private sheet(mode: 'note' | 'complete'): Locator {
    return this.page.locator(`[data-test="work-sheet-${mode}"]:visible`)
  }

  /** Pick photos in the open sheet and wait until every one has uploaded. */
  private async addPhotos(mode: 'note' | 'complete', filePaths: readonly string[]): Promise<void> {
    if (!filePaths.length) return
    const sheet = this.sheet(mode)
    const before = await sheet.locator('[data-test="work-photo"]').count()
    await sheet.locator('[data-test="work-photo-input"]').setInputFiles([...filePaths])
    await sheet.locator('[data-test="work-photo"]').nth(before + filePaths.length - 1).waitFor()
    await this.page.waitForFunction(
      (m) => [...document.querySelectorAll(`[data-test="work-sheet-${m}"] [data-test="work-photo"]`)].every((e) => e.getAttribute('data-state') === 'done'),
      mode,
    )
  }

  /** Open the complete sheet, write the note, upload the photos, and complete. */
  async completeWithPhotos(note: string, filePaths: readonly string[]): Promise<void> {
    await this.page.locator('[data-test="work-complete"]').click()
    const sheet = this.sheet('complete')
    await sheet.waitFor()
    await sheet.locator('[data-test="work-sheet-text"] textarea, textarea[data-test="work-sheet-text"]').first().fill(note)
    await this.addPhotos('complete', filePaths)
    await afterOperation(this.page, 'WorkTicketComplete', () => sheet.locator('[data-test="work-sheet-submit"]').click())
    await this.waitForStatus('COMPLETED')
  }

  /** Add a note (staff-only when internal) with optional photos. */
  async addNote(note: string, filePaths: readonly string[] = [], internal = false): Promise<void> {
    await this.page.locator('[data-test="work-note"]').click()
    const sheet = this.sheet('note')
    await sheet.waitFor()
    await sheet.locator('[data-test="work-sheet-text"] textarea, textarea[data-test="work-sheet-text"]').first().fill(note)
    await this.addPhotos('note', filePaths)
    const toggle = sheet.locator('[data-test="work-sheet-internal"]')
    if ((await toggle.locator('input').isChecked()) !== internal) await toggle.click()
    await afterOperation(this.page, 'WorkTicketNoteAdd', () => sheet.locator('[data-test="work-sheet-submit"]').click())
    await sheet.waitFor({ state: 'hidden' })
  }

  // ---------------------------------------------------------------------------------- position sharing

  private shareCard(): Locator {
    return this.page.locator('[data-test="work-share"]')
  }

  async isSharing(): Promise<boolean> {
    return (await this.shareCard().getAttribute('data-state')) !== 'off'
  }

  /** Turn "share my position for this ticket" on or off (nothing happens when it already is). */
  async shareLocation(on: boolean): Promise<void> {
    const input = this.shareCard().locator('[data-test="work-share-switch"] input')
    if ((await input.isChecked()) === on) return
    await afterOperation(this.page, 'WorkLocationConsent', () => this.shareCard().locator('[data-test="work-share-switch"]').click())
    await this.page.waitForFunction((want) => {
      const el = document.querySelector('[data-test="work-share-switch"] input') as HTMLInputElement | null
      return el?.checked === want
    }, on)
  }

  /** Wait until a position has been sent (while the work is in progress and sharing is on). */
  async waitForPositionSent(): Promise<string> {
    await this.page.locator('[data-test="work-share"][data-state="sharing"]').waitFor()
    return this.shareStatus()
  }

  async shareStatus(): Promise<string> {
    const status = this.page.locator('[data-test="work-share-status"]')
    return (await status.count()) ? (await status.innerText()).trim() : ''
  }

  // ---------------------------------------------------------------------------------------- shell

  async back(): Promise<void> {
    await this.page.locator('[data-test="work-back"]').click()
    await this.page.locator('[data-test="work-tickets"]').waitFor()
  }

  async switchLanguage(): Promise<void> {
    await this.page.locator('[data-test="work-lang"]').click()
  }

  async signOut(): Promise<void> {
    await this.page.locator('[data-test="work-logout"]').click()
    await this.page.locator('.work-message-box .el-button--primary').click()
    await this.page.waitForURL((url) => url.pathname.startsWith('/login'))
  }
}
