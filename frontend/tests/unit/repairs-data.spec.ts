import { describe, expect, it } from 'vitest'
import type { Perm } from '@/graphql/generated/graphql'
import type { TicketCard, Workload } from '@/api/repairs'
import {
  actionsFor, ageText, durationText, eventText, matchesFilter, searchFromQuery, searchToQuery, ticketColumns,
  toExportParams, toTicketFilter,
} from '@/views/repairs/data'
import { placeText } from '@/domains/repairs/tickets'
import { monthOf, rankTechnicians, rateText, workloadRows } from '@/views/repairs/technicians'
import { settingsToForm, toCategoryInput, toSettingsInput } from '@/views/repairs/settings'
import { openTotal, ticketsChartOption } from '@/views/dashboard/data'
import { applyEvent, boardFromData, boardVariables, columnOf, COLUMN_LIMIT, emptyBoard, type Board } from '@/views/repairs/board'

const t = (k: string, p?: Record<string, unknown>) => (p ? `<${k}:${JSON.stringify(p)}>` : `<${k}>`)

function card(over: Partial<TicketCard> = {}): TicketCard {
  return {
    id: 'T1', number: 'R00000001', status: 'SUBMITTED', urgency: 'NORMAL', description: 'Kitchen tap drips', publicArea: '',
    overdue: false, createdAt: '2026-11-22T02:00:00+00:00', acceptDue: '2026-11-22T03:00:00+00:00',
    finishDue: '2026-11-24T02:00:00+00:00', completedAt: null, community: { id: 'C1', name: '阳光花园', timezone: 'Asia/Shanghai' },
    unit: { id: 'U1', number: '101', building: { id: 'B1', name: '1号楼' } }, category: { id: 'K1', name: '水电', nameEn: 'Water & power' },
    reporter: { id: 'P1', name: '张三' }, technician: null, rating: null, ...over,
  }
}

describe('ticket filters', () => {
  it('round-trips through the URL and keeps other keys such as the open ticket', () => {
    const s = { categoryId: 'K1', urgency: 'URGENT' as const, overdue: 'true' as const, technicianId: 'S1', status: ['SUBMITTED' as const, 'ACCEPTED' as const], search: ' 漏水 ' }
    const query = searchToQuery(s, { ticket: 'T9', category: 'old' })
    expect(query).toEqual({ ticket: 'T9', category: 'K1', urgency: 'URGENT', overdue: 'true', technician: 'S1', status: 'SUBMITTED,ACCEPTED', q: '漏水' })
    expect(searchFromQuery(query as Record<string, string>)).toEqual({ ...s, search: '漏水' })
  })

  it('drops values from the URL that are not real choices', () => {
    expect(searchFromQuery({ urgency: 'VERY', overdue: 'maybe', status: 'SUBMITTED,FIXED' })).toEqual({
      categoryId: '', urgency: '', overdue: '', technicianId: '', status: ['SUBMITTED'], search: '',
    })
    expect(searchToQuery({ categoryId: '', urgency: '', overdue: '', technicianId: '', status: [], search: '  ' }, { category: 'K1' })).toEqual({})
  })

  it('sends only set fields to the API and to the export, statuses comma-separated', () => {
    const filter = toTicketFilter({ categoryId: '', urgency: '', overdue: 'false', technicianId: '', status: ['RATED', 'CLOSED'], search: 'R12' }, 'C1')
    expect(filter).toEqual({ communityId: 'C1', overdue: false, status: ['RATED', 'CLOSED'], search: 'R12' })
    expect(toExportParams(filter)).toEqual({
      communityId: 'C1', categoryId: null, urgency: null, overdue: false, technicianId: null, status: 'RATED,CLOSED', search: 'R12',
    })
    expect(toTicketFilter({ categoryId: '', urgency: '', overdue: '', technicianId: '', status: [], search: '' }, null)).toEqual({})
  })

  it('decides like the server whether a live ticket belongs on screen', () => {
    const t1 = card({ technician: { name: '李师傅', staffMemberId: 'S1' }, urgency: 'URGENT' })
    expect(matchesFilter(t1, {})).toBe(true)
    expect(matchesFilter(t1, { communityId: 'C2' })).toBe(false)
    expect(matchesFilter(t1, { technicianId: 'S1', urgency: 'URGENT', categoryId: 'K1' })).toBe(true)
    expect(matchesFilter(t1, { technicianId: 'S2' })).toBe(false)
    expect(matchesFilter(t1, { overdue: true })).toBe(false)
    expect(matchesFilter(t1, { overdue: false })).toBe(true)
    expect(matchesFilter(t1, { status: ['ACCEPTED'] })).toBe(false)
    expect(matchesFilter(t1, { search: 'TAP' })).toBe(true)
    expect(matchesFilter(t1, { search: 'r1' })).toBe(true)
    expect(matchesFilter(t1, { search: '00000001' })).toBe(true)
    expect(matchesFilter(t1, { search: 'R2' })).toBe(false)
  })
})

describe('ticket texts', () => {
  it("shows a list row's report time in its community's zone, with its age", () => {
    const created = ticketColumns('zh-CN', () => Date.UTC(2026, 10, 22, 2, 5)).find((c) => c.prop === 'createdAt')
    expect(created?.format?.(card(), t)).toBe('2026-11-22 10:00 <repairs.age.minutes:{"n":5}>')
    const london = card({ community: { id: 'C9', name: 'Thames Court', timezone: 'Europe/London' } })
    expect(created?.format?.(london, t)).toBe('2026-11-22 02:00 <repairs.age.minutes:{"n":5}>')
  })

  it('gives ages and durations in the largest whole unit', () => {
    const created = '2026-11-22T00:00:00Z'
    const at = (minutes: number) => Date.UTC(2026, 10, 22) + minutes * 60_000
    expect(ageText(created, at(0), t)).toBe('<repairs.age.now>')
    expect(ageText(created, at(59), t)).toBe('<repairs.age.minutes:{"n":59}>')
    expect(ageText(created, at(150), t)).toBe('<repairs.age.hours:{"n":2}>')
    expect(ageText(created, at(3 * 1440 + 5), t)).toBe('<repairs.age.days:{"n":3}>')
    expect(durationText(null, t)).toBe('—')
    expect(durationText(95, t)).toBe('<repairs.duration.hours:{"h":1,"m":35}>')
    expect(durationText(1500, t)).toBe('<repairs.duration.days:{"d":1,"h":1}>')
  })

  it('names the place and the step', () => {
    expect(placeText(card())).toBe('1号楼-101')
    expect(placeText(card({ unit: null, publicArea: '3号楼电梯' }))).toBe('3号楼电梯')
    expect(eventText({ kind: 'ASSIGNED', fromStatus: 'ACCEPTED', toStatus: 'ASSIGNED' }, t)).toBe('<repairs.event.ASSIGNED>（<repairs.status.ACCEPTED> → <repairs.status.ASSIGNED>）')
    expect(eventText({ kind: 'NOTE', fromStatus: null, toStatus: null }, t)).toBe('<repairs.event.NOTE>')
  })
})

describe('ticket actions', () => {
  const dispatch = new Set<Perm>(['TICKET_READ', 'TICKET_DISPATCH'])
  it('follows the transition table for dispatch staff', () => {
    expect(actionsFor('SUBMITTED', dispatch)).toEqual({ accept: true, reject: true, assign: false, reassign: false, close: false, note: true })
    expect(actionsFor('ACCEPTED', dispatch)).toMatchObject({ accept: false, reject: true, assign: true, reassign: false })
    expect(actionsFor('IN_PROGRESS', dispatch)).toMatchObject({ assign: false, reassign: true, close: false })
    expect(actionsFor('RATED', dispatch)).toMatchObject({ close: true, note: true, reject: false })
    expect(actionsFor('CLOSED', dispatch)).toEqual({ accept: false, reject: false, assign: false, reassign: false, close: false, note: false })
  })
  it('offers nothing to readers without ticket.dispatch', () => {
    expect(Object.values(actionsFor('SUBMITTED', new Set<Perm>(['TICKET_READ'])))).not.toContain(true)
  })
})

describe('technicians', () => {
  const w = (name: string, assigned: number, inProgress: number, skills: string[], id: string | null = name): Workload => ({
    assignedCount: assigned, inProgressCount: inProgress, technician: { name, phone: '138', staffMemberId: id },
    skills: skills.map((s) => ({ id: s, name: s, nameEn: s })),
  })
  it('suggests skilled technicians first, then the least busy', () => {
    const rows = [w('A', 3, 1, ['K1']), w('B', 0, 0, []), w('C', 1, 0, ['K1', 'K2']), w('D', 0, 1, ['K2'])]
    expect(rankTechnicians(rows, 'K1').map((r) => r.technician.name)).toEqual(['C', 'A', 'B', 'D'])
    expect(rankTechnicians(rows, null).map((r) => r.technician.name)).toEqual(['B', 'C', 'D', 'A'])
  })
  it('keys workload rows by staff member and leaves out contacts without one', () => {
    expect(workloadRows([w('A', 1, 0, []), w('X', 0, 0, [], null)]).map((r) => r.id)).toEqual(['A'])
  })
  it('formats months and rates', () => {
    expect(monthOf(new Date(2026, 0, 15))).toBe('2026-01')
    expect(monthOf(new Date(2026, 0, 15), -1)).toBe('2025-12')
    expect(rateText(0.8567)).toBe('85.7%')
    expect(rateText(null)).toBe('—')
  })
})

describe('repair settings and dashboard', () => {
  it('maps the forms to the API inputs', () => {
    expect(toCategoryInput({ name: ' 电梯 ', nameEn: ' Lift ', sort: 3.4 })).toEqual({ name: '电梯', nameEn: 'Lift', sort: 3 })
    const s = { communityId: 'C1', allowGrab: true, autoAssign: false, normalAcceptMinutes: 60, normalFinishHours: 48, urgentAcceptMinutes: 15, urgentFinishHours: 8 }
    expect(toSettingsInput(settingsToForm(s))).toEqual({ allowGrab: true, autoAssign: false, normalAcceptMinutes: 60, normalFinishHours: 48, urgentAcceptMinutes: 15, urgentFinishHours: 8 })
  })
  it('counts open tickets without adding the overlapping overdue figure', () => {
    const counts = { submitted: 2, accepted: 1, assigned: 3, inProgress: 4, overdue: 5 }
    expect(openTotal(counts)).toBe(10)
    expect(ticketsChartOption(counts, (k) => k).series[0].data.map((d) => d.value)).toEqual([2, 1, 3, 4])
  })
})

function board(cards: ReturnType<typeof card>[], totals: Partial<Record<keyof Board, number>> = {}): Board {
  const b = emptyBoard()
  for (const c of cards) b[columnOf(c.status)].cards.push(c)
  for (const key of Object.keys(b) as (keyof Board)[]) b[key].total = totals[key] ?? b[key].cards.length
  return b
}

describe('board columns', () => {
  it('puts finished statuses in one column', () => {
    expect(columnOf('SUBMITTED')).toBe('submitted')
    expect(columnOf('IN_PROGRESS')).toBe('inProgress')
    for (const s of ['RATED', 'CLOSED', 'REJECTED', 'CANCELLED'] as const) expect(columnOf(s)).toBe('done')
  })

  it('asks for every column in one request with the page filter and the column statuses', () => {
    const vars = boardVariables({ communityId: 'C1', urgency: 'URGENT', status: ['ACCEPTED'] }, 50, 0)
    expect(vars.submitted).toEqual({ communityId: 'C1', urgency: 'URGENT', status: ['SUBMITTED'] })
    expect(vars.done.status).toEqual(['RATED', 'CLOSED', 'REJECTED', 'CANCELLED'])
    expect([vars.first, vars.doneFirst]).toEqual([50, 0])
  })

  it('reads the aliased answer', () => {
    const col = (n: number) => ({ totalCount: n, nodes: n ? [card({ id: `T${n}` })] : [] })
    const b = boardFromData({ submitted: col(1), accepted: col(0), assigned: col(0), inProgress: col(0), completed: col(0), done: col(7) })
    expect(b.submitted.cards.map((c) => c.id)).toEqual(['T1'])
    expect(b.done.total).toBe(7)
  })
})

describe('live events on the board', () => {
  it('adds a new ticket at the top of its column', () => {
    const old = card({ id: 'T1', createdAt: '2026-11-22T01:00:00Z' })
    const fresh = card({ id: 'T2', createdAt: '2026-11-22T05:00:00Z' })
    const r = applyEvent(board([old]), 'CREATED', fresh, {})
    expect(r.board.submitted.cards.map((c) => c.id)).toEqual(['T2', 'T1'])
    expect(r.board.submitted.total).toBe(2)
    expect(r).toMatchObject({ column: 'submitted', needsRefetch: false })
  })

  it('moves a card between columns and keeps the totals', () => {
    const t1 = card({ id: 'T1' })
    const r = applyEvent(board([t1, card({ id: 'T3' })]), 'ACCEPTED', { ...t1, status: 'ACCEPTED' }, {})
    expect(r.board.submitted.cards.map((c) => c.id)).toEqual(['T3'])
    expect(r.board.submitted.total).toBe(1)
    expect(r.board.accepted.cards.map((c) => c.status)).toEqual(['ACCEPTED'])
    expect(r.board.accepted.total).toBe(1)
    expect(r.needsRefetch).toBe(false)
  })

  it('drops a card that no longer matches the filter', () => {
    const t1 = card({ id: 'T1', status: 'ACCEPTED' })
    const r = applyEvent(board([t1]), 'ASSIGNED', { ...t1, status: 'ASSIGNED', technician: { name: '王', staffMemberId: 'S2' } }, { technicianId: 'S1' })
    expect(r.column).toBeNull()
    expect(r.board.accepted.cards).toEqual([])
    expect(r.board.assigned.cards).toEqual([])
    expect(r.board.accepted.total).toBe(0)
  })

  it('ignores a new ticket of another community and keeps the column limit', () => {
    expect(applyEvent(board([]), 'CREATED', card({ community: { id: 'C2', name: '北区', timezone: 'Asia/Shanghai' } }), { communityId: 'C1' }).column).toBeNull()
    const full = Array.from({ length: COLUMN_LIMIT }, (_, i) => card({ id: `T${i}`, createdAt: `2026-11-2${i % 10}T00:00:00Z` }))
    const r = applyEvent(board(full, { submitted: 80 }), 'CREATED', card({ id: 'new', createdAt: '2026-11-30T00:00:00Z' }), {})
    expect(r.board.submitted.cards).toHaveLength(COLUMN_LIMIT)
    expect(r.board.submitted.cards[0].id).toBe('new')
    expect(r.board.submitted.total).toBe(81)
  })

  it('asks for a refetch when it cannot know where an unseen ticket came from', () => {
    const r = applyEvent(board([], { accepted: 60 }), 'ASSIGNED', card({ id: 'T9', status: 'ASSIGNED' }), {})
    expect(r.needsRefetch).toBe(true)
    expect(r.column).toBe('assigned')
  })
})
