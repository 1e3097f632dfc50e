import { describe, expect, it } from 'vitest'
import type { WorkCard } from '@/api/work'
import { tabFilter, workActionsFor } from '@/views/work/data'
import { dueOf, windowText } from '@/domains/repairs/tickets'
import { prefersWorkView } from '@/router/landing'

const me = '13800000004'
const tech = (phone: string) => ({ name: '钱师傅', phone })
type Bits = Pick<WorkCard, 'status' | 'technician' | 'acknowledgedAt'>
const ticket = (status: WorkCard['status'], technician: WorkCard['technician'] = null, acknowledgedAt: string | null = null): Bits => ({ status, technician, acknowledgedAt })

describe('technician view rules', () => {
  it('asks the server for my tickets (to do, done) and for the ones not mine (grabbable)', () => {
    expect(tabFilter('todo')).toEqual({ status: ['ASSIGNED', 'IN_PROGRESS'], mine: true })
    expect(tabFilter('grabbable')).toEqual({ status: ['ACCEPTED'], mine: false })
    expect(tabFilter('done')).toEqual({ status: ['COMPLETED', 'RATED', 'CLOSED'], mine: true })
    // a fresh object each time: callers may change it
    expect(tabFilter('todo')).not.toBe(tabFilter('todo'))
  })

  it('offers each step only where the server allows it', () => {
    const none = { grab: false, acknowledge: false, start: false, complete: false, note: false, share: false }
    expect(workActionsFor(ticket('ACCEPTED'), false)).toEqual({ ...none, grab: true })
    expect(workActionsFor(ticket('ASSIGNED', tech(me)), true)).toEqual({ ...none, acknowledge: true, start: true, note: true, share: true })
    expect(workActionsFor(ticket('ASSIGNED', tech(me), '2026-11-22T01:00:00Z'), true)).toEqual({ ...none, start: true, note: true, share: true })
    // a grab is taking the job: the grabbed ticket comes back acknowledged, so no 接单 after it
    const grabbed = ticket('ASSIGNED', tech(me), '2026-11-22T01:05:00Z')
    expect(workActionsFor(grabbed, true).acknowledge).toBe(false)
    expect(workActionsFor(grabbed, true).start).toBe(true)
    expect(workActionsFor(ticket('IN_PROGRESS', tech(me)), true)).toEqual({ ...none, complete: true, note: true, share: true })
    expect(workActionsFor(ticket('COMPLETED', tech(me)), true)).toEqual({ ...none, note: true })
    expect(workActionsFor(ticket('CLOSED', tech(me)), true)).toEqual(none)
    // someone else's ticket (seen through ticket.read): nothing to do
    expect(workActionsFor(ticket('IN_PROGRESS', tech('13800000009')), false)).toEqual(none)
  })

  it("writes the appointment window short, in the ticket's zone", () => {
    const now = new Date(Date.UTC(2026, 10, 22, 4))
    // UTC instants: Shanghai is 8 h ahead
    const utc = (d: number, h: number) => new Date(Date.UTC(2026, 10, d, h, 0)).toISOString()
    expect(windowText(utc(23, 1), utc(23, 3), 'Asia/Shanghai', now)).toBe('11-23 09:00–11:00')
    expect(windowText(utc(23, 1), utc(24, 3), 'Asia/Shanghai', now)).toBe('11-23 09:00 – 11-24 11:00')
    // the same day in UTC, two days in Shanghai
    expect(windowText(utc(23, 14), utc(23, 17), 'Asia/Shanghai', now)).toBe('11-23 22:00 – 11-24 01:00')
    expect(windowText(utc(23, 14), utc(23, 17), 'Europe/London', now)).toBe('11-23 14:00–17:00')
    expect(windowText(null, null, 'Asia/Shanghai', now)).toBe('')
    expect(windowText(new Date(Date.UTC(2027, 0, 2, 0, 30)).toISOString(), null, 'Asia/Shanghai', now)).toBe('2027-01-02 08:30 – …')
  })

  it('picks the deadline that matters', () => {
    const t = { acceptDue: 'A', finishDue: 'F' }
    expect(dueOf({ ...t, status: 'SUBMITTED' })).toEqual({ kind: 'accept', at: 'A' })
    expect(dueOf({ ...t, status: 'IN_PROGRESS' })).toEqual({ kind: 'finish', at: 'F' })
    expect(dueOf({ ...t, status: 'COMPLETED' })).toBeNull()
  })

  it('sends only technicians on a narrow screen to the phone view', () => {
    const technician = new Set(['COMMUNITY_READ', 'UNIT_READ', 'TICKET_WORK'])
    expect(prefersWorkView(technician, 390)).toBe(true)
    expect(prefersWorkView(technician, 768)).toBe(false)
    expect(prefersWorkView(new Set([...technician, 'TICKET_READ']), 390)).toBe(false)
    expect(prefersWorkView(new Set(['TICKET_READ', 'TICKET_DISPATCH']), 390)).toBe(false)
  })
})
