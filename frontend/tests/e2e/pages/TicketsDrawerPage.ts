/** The ticket drawer (opened from the board or the list, or by ?ticket=<id>): facts, live timeline, dispatch actions. */
import type { Locator, Page } from 'playwright-core'
import { dialog, toast } from './ui'

export type TicketStatusName = 'SUBMITTED' | 'ACCEPTED' | 'ASSIGNED' | 'IN_PROGRESS' | 'COMPLETED' | 'RATED' | 'CLOSED' | 'REJECTED' | 'CANCELLED'

export class TicketsDrawerPage {
  readonly root: Locator

  constructor(private readonly page: Page) {
    this.root = page.locator('.el-drawer[data-test="ticket-drawer"]:visible')
  }

  /** Wait until the ticket is shown (facts and timeline loaded). */
  async ready(): Promise<this> {
    await this.root.locator('[data-test="ticket-facts"]').waitFor()
    return this
  }

  /** The status as the API names it (data-status), e.g. 'ASSIGNED'. */
  async status(): Promise<TicketStatusName> {
    return (await this.root.locator('[data-test="ticket-status"]').getAttribute('data-status')) as TicketStatusName
  }

  /** Wait for the ticket to reach a status: by an action here, or live from someone else's change. */
  async waitForStatus(status: TicketStatusName, timeout = 15_000): Promise<void> {
    await this.root.locator(`[data-test="ticket-status"][data-status="${status}"]`).waitFor({ timeout })
  }

  async technician(): Promise<string> {
    return (await this.root.locator('[data-test="ticket-technician"]').innerText()).trim()
  }

  async phone(): Promise<string> {
    return (await this.root.locator('[data-test="ticket-phone"]').innerText()).trim()
  }

  /** Labels of the action buttons the caller is offered. */
  async actions(): Promise<string[]> {
    const buttons = this.root.locator('[data-test="ticket-actions"] button')
    return (await buttons.allInnerTexts()).map((s) => s.trim())
  }

  /** Event kinds of the timeline, newest first (e.g. ['ASSIGNED', 'ACCEPTED', 'CREATED']). */
  async timelineKinds(): Promise<string[]> {
    return this.root.locator('[data-test="timeline-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind') ?? ''))
  }

  async accept(): Promise<void> {
    await this.root.locator('[data-test="ticket-accept"]').click()
    await toast(this.page, 'success')
    await this.waitForStatus('ACCEPTED')
  }

  /** Assign (or reassign) to a technician by name; skilled, less busy technicians are listed first. */
  async assign(technician: string | RegExp, note = ''): Promise<void> {
    const button = this.root.locator('[data-test="ticket-assign"], [data-test="ticket-reassign"]')
    await button.first().click()
    const d = dialog(this.page, 'assign-dialog')
    await d.locator('[data-test="assign-pick"]').first().waitFor()
    await d.locator('[data-test="assign-pick"]').filter({ hasText: technician }).first().click()
    if (note) await d.locator('input[data-test="assign-note"], [data-test="assign-note"] input').first().fill(note)
    await d.locator('[data-test="dialog-submit"]').click()
    await toast(this.page, 'success')
    await d.waitFor({ state: 'hidden' })
  }

  /** Names offered by the assign dialog, in the order shown; closes it again. */
  async candidates(): Promise<string[]> {
    await this.root.locator('[data-test="ticket-assign"], [data-test="ticket-reassign"]').first().click()
    const d = dialog(this.page, 'assign-dialog')
    await d.locator('[data-test="assign-pick"]').first().waitFor()
    const names = await d.locator('[data-test="assign-pick"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name') ?? ''))
    await d.locator('[data-test="dialog-cancel"]').click()
    await d.waitFor({ state: 'hidden' })
    return names
  }

  async reject(reason: string): Promise<void> {
    await this.root.locator('[data-test="ticket-reject"]').click()
    const d = dialog(this.page, 'reject-dialog')
    await d.locator('textarea[data-test="reject-reason"], [data-test="reject-reason"] textarea').first().fill(reason)
    await d.locator('[data-test="dialog-submit"]').click()
    await toast(this.page, 'success')
    await this.waitForStatus('REJECTED')
  }

  /** Close a completed or rated ticket, with an optional note. */
  async close(note = ''): Promise<void> {
    await this.root.locator('[data-test="ticket-close"]').click()
    const box = this.page.locator('.el-message-box:visible')
    if (note) await box.locator('input').fill(note)
    await box.locator('.el-button--primary').click()
    await toast(this.page, 'success')
    await this.waitForStatus('CLOSED')
  }

  /** Add a note (optionally staff-only, optionally with photo files) and wait until the timeline shows it. */
  async addNote(text: string, options: { internal?: boolean; photos?: string[] } = {}): Promise<void> {
    const before = await this.root.locator('[data-test="timeline-item"]').count()
    await this.root.locator('textarea[data-test="note-text"], [data-test="note-text"] textarea').first().fill(text)
    if (options.internal) await this.root.locator('[data-test="note-internal"]').click()
    if (options.photos?.length) await this.root.locator('[data-test="note-photos"] input[type=file]').setInputFiles(options.photos)
    await this.root.locator('[data-test="note-submit"]').click()
    await this.page.waitForFunction(
      ([n]) => document.querySelectorAll('.el-drawer [data-test="timeline-item"]').length > n,
      [before],
    )
  }

  /** Close the drawer (the URL loses ?ticket=). */
  async dismiss(): Promise<void> {
    await this.root.locator('.el-drawer__close-btn').click()
    await this.root.waitFor({ state: 'hidden' })
  }
}
