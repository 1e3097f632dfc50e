/**
 * Scenario 5, repairs live: an owner reports a repair through the API and it appears on the open board without
 * a reload; staff accept and assign it; the technician takes it, starts, shares their position and completes it
 * with photos in the phone view while staff watch it move; the owner sees the work photos and rates it; the
 * technician's monthly figures go up.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { login } from './support/api'
import { phoneContext, snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { rateRepair, reportRepair, statsFor, ticketAsOwner } from './support/tickets'
import { LoginPage } from './pages/LoginPage'
import { TicketsBoardPage } from './pages/TicketsBoardPage'
import { TicketsStatsPage } from './pages/TicketsStatsPage'
import { WorkPage } from './pages/WorkPage'

const TECHNICIAN = '钱师傅 (technician)'
// An 8x8 PNG, written twice under different names: two "photos of the work".
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAdUlEQVR4nA3JIQEAIQwAwIVAowmxEGg0IRYCTZJLQqL/sxchukixRIkriCcitK6ltrTSrkZ72h+jG2kso4xrMJ7xR3aZcsmSV5JP/jG7meYyy7wm85l/7G6nveyyr81+9h/VVaqlSl1FPfXH6U46yynnOpznfK/5WMEwIqJtAAAAAElFTkSuQmCC',
  'base64',
)

function photos(): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'courtyard-e2e-'))
  return ['fixed-1.png', 'fixed-2.png'].map((name) => {
    const file = path.join(dir, name)
    writeFileSync(file, PNG)
    return file
  })
}

describe('repairs, live', () => {
  const s = useBrowser('zh-CN')

  it('goes from the owner to the board, the technician on a phone, the rating and the statistics', async () => {
    const { page, baseURL } = s
    const ownerToken = await login(baseURL, DEMO.owner)
    const managerToken = await login(baseURL, DEMO.manager)
    const before = (await statsFor(baseURL, managerToken, TECHNICIAN)) ?? { completedCount: 0, ratedCount: 0 }

    // Given the community manager has the repair board open
    await new LoginPage(page).goto().then((p) => p.login(DEMO.manager))
    const board = await new TicketsBoardPage(page).goto()

    // When an owner reports a repair through the API, it appears in the "to accept" column without a reload
    const navigations: string[] = []
    page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations.push(frame.url()) })
    const ticket = await reportRepair(baseURL, ownerToken, '浏览器测试：厨房插座没电 E2E kitchen socket is dead')
    await board.waitForCard(ticket.number, 'submitted')
    expect(await board.isUrgent(ticket.number)).toBe(true)
    expect(navigations).toEqual([])
    await snap(page, '20-board-new-ticket-zh')

    // And staff accept it and assign the technician
    const drawer = await board.open(ticket.number)
    await drawer.accept()
    await drawer.assign(/钱师傅/)
    await drawer.waitForStatus('ASSIGNED')
    expect(await drawer.technician()).toContain('钱师傅')

    // Then the technician, signing in on a phone, lands in the phone view and does the job
    const phone = await phoneContext(s)
    try {
      await new LoginPage(phone.page).goto().then((p) => p.login(DEMO.technician))
      const work = await new WorkPage(phone.page).ready()
      await work.openTicket(ticket.number)
      expect(await work.callHref()).toBe(`tel:${DEMO.owner}`)
      await work.accept()
      await work.start()
      // staff see the status change in the open drawer, live
      await drawer.waitForStatus('IN_PROGRESS')
      await work.shareLocation(true)
      await work.waitForPositionSent()
      await snap(phone.page, '21-phone-in-progress-sharing-zh')
      await work.completeWithPhotos('已更换插座 Socket replaced', photos())
      await snap(phone.page, '22-phone-completed-zh')
      expect(phone.pageErrors).toEqual([])
    } finally {
      await phone.context.close()
    }

    // And the drawer and the board follow, live
    await drawer.waitForStatus('COMPLETED')
    expect(await drawer.timelineKinds()).toEqual(['COMPLETED', 'STARTED', 'ACKNOWLEDGED', 'ASSIGNED', 'ACCEPTED', 'CREATED'])
    await snap(page, '23-drawer-completed-zh')
    await drawer.dismiss()
    await board.waitForCard(ticket.number, 'completed')

    // The owner sees the two work photos on the completion step, and rates the repair
    const mine = await ticketAsOwner(baseURL, ownerToken, ticket.id)
    const done = mine.timeline.find((step) => step.kind === 'COMPLETED')
    expect(done?.files).toHaveLength(2)
    const photo = await fetch(`${baseURL}${done!.files[0].url}`)
    expect(photo.status).toBe(200)
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true)
    expect(await rateRepair(baseURL, ownerToken, ticket.id, 5)).toBe('RATED')

    // And this month's statistics count one more completed and rated job, in the API and on the page
    const after = await statsFor(baseURL, managerToken, TECHNICIAN)
    expect(after?.completedCount).toBe(before.completedCount + 1)
    expect(after?.ratedCount).toBe(before.ratedCount + 1)
    const stats = await new TicketsStatsPage(page).goto()
    await stats.chartsReady()
    const figures = await stats.figures(TECHNICIAN)
    expect(figures?.completed).toBe(after?.completedCount)
    expect(figures?.rated).toBe(after?.ratedCount)
    await snap(page, '24-stats-after-rating-zh')
    expect(s.pageErrors).toEqual([])
  })
})
