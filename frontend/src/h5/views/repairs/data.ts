/** What the owner's repair screens decide without the network: steps, tabs, what each status allows, the
 * appointment window in the community's zone, the reopen window, and distance as people say it. */
import { zonedToUtc } from '@/locales/time'
import type { TicketStatus } from '@/graphql/generated/graphql'

/** The happy path, in order; a rejected or cancelled ticket stops where it was. */
export const STEPS: readonly TicketStatus[] = ['SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'COMPLETED', 'RATED']

/** Index of the status among STEPS (CLOSED counts as the last step); -1 for a ticket that left the path. */
export function stepIndex(status: TicketStatus): number {
  if (status === 'CLOSED') return STEPS.length - 1
  return STEPS.indexOf(status)
}

export type TicketTab = 'all' | 'active' | 'toRate' | 'done'
export const TABS: readonly TicketTab[] = ['all', 'active', 'toRate', 'done']

/** The statuses a tab of "my repairs" lists (null: every status). */
export function tabStatuses(tab: TicketTab): TicketStatus[] | null {
  switch (tab) {
    case 'active':
      return ['SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS']
    case 'toRate':
      return ['COMPLETED']
    case 'done':
      return ['RATED', 'CLOSED', 'REJECTED', 'CANCELLED']
    default:
      return null
  }
}

/** The reporter may withdraw a ticket until work starts (the server's transition table). */
export function canCancel(status: TicketStatus): boolean {
  return status === 'SUBMITTED' || status === 'ACCEPTED' || status === 'ASSIGNED'
}

/** The technician's number is offered while they are on the job. */
export function canCall(status: TicketStatus): boolean {
  return status === 'ASSIGNED' || status === 'IN_PROGRESS'
}

export const REOPEN_DAYS = 7
const DAY = 24 * 3600 * 1000

interface Reopenable {
  status: TicketStatus
  completedAt: string | null
  rating: { ratedAt: string } | null
}

/** When reopening stops being possible: 7 days after the later of completion and rating (as the server counts). */
export function reopenDeadline(ticket: Reopenable): Date | null {
  const times = [ticket.completedAt, ticket.rating?.ratedAt]
    .filter((x): x is string => !!x)
    .map((x) => new Date(x).getTime())
    .filter((x) => !Number.isNaN(x))
  if (times.length === 0) return null
  return new Date(Math.max(...times) + REOPEN_DAYS * DAY)
}

/** A completed or rated ticket reopens within 7 days; afterwards the button is gone. */
export function canReopen(ticket: Reopenable, now: Date = new Date()): boolean {
  if (ticket.status !== 'COMPLETED' && ticket.status !== 'RATED') return false
  const deadline = reopenDeadline(ticket)
  return deadline !== null && now.getTime() <= deadline.getTime()
}

/** A completed ticket not yet rated (after a reopen, one rating is all there is). */
export function canRate(ticket: { status: TicketStatus; rating: unknown }): boolean {
  return ticket.status === 'COMPLETED' && !ticket.rating
}

type Translate = (key: string, params?: Record<string, unknown>) => string

/** "约 350 米" / "约 1.2 公里" (about 350 m / about 1.2 km); '' when the distance is unknown. */
export function formatDistance(meters: number | null | undefined, t: Translate): string {
  if (meters === null || meters === undefined || !Number.isFinite(meters) || meters < 0) return ''
  if (meters < 1000) return t('repairs.detail.distanceM', { n: Math.max(10, Math.round(meters / 10) * 10) })
  const km = meters < 10_000 ? (Math.round(meters / 100) / 10).toFixed(1) : String(Math.round(meters / 1000))
  return t('repairs.detail.distanceKm', { n: km })
}

// ------------------------------------------------------------------------------------------- appointment

export interface Slot {
  key: string
  start: string // "08:00", wall clock in the community's zone
  end: string
}

export const SLOTS: readonly Slot[] = [
  { key: 'morning', start: '08:00', end: '10:00' },
  { key: 'lateMorning', start: '10:00', end: '12:00' },
  { key: 'afternoon', start: '14:00', end: '16:00' },
  { key: 'lateAfternoon', start: '16:00', end: '18:00' },
  { key: 'evening', start: '18:00', end: '20:00' },
]

/** The date ("2026-12-01") that it is now in the zone. */
export function todayIn(zone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(now)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** The next `count` dates from today in the zone, as "YYYY-MM-DD". */
export function nextDates(zone: string, count = 7, now: Date = new Date()): string[] {
  const [y, m, d] = todayIn(zone, now).split('-').map(Number)
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10))
}

/** An appointment window as UTC ISO times for the API; null when the date or slot is not one. */
export function windowToUtc(date: string, slot: Slot, zone: string): { start: string; end: string } | null {
  const start = zonedToUtc(`${date} ${slot.start}`, zone)
  const end = zonedToUtc(`${date} ${slot.end}`, zone)
  return start && end ? { start, end } : null
}

/** A slot that has already begun cannot be booked. */
export function slotPassed(date: string, slot: Slot, zone: string, now: Date = new Date()): boolean {
  const window = windowToUtc(date, slot, zone)
  return window === null || new Date(window.start).getTime() <= now.getTime()
}

/** One key per report form: a retry after a network error sends the same key, so the server makes one ticket. */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

// ------------------------------------------------------------------------------------------- categories

const ICONS: readonly [RegExp, string][] = [
  [/电梯|lift|elevator/i, 'upgrade'],
  [/水|电|water|power|electric|plumb/i, 'bulb-o'],
  [/门|窗|door|window/i, 'wap-home-o'],
  [/燃气|煤气|gas/i, 'fire-o'],
  [/公共|public|common/i, 'cluster-o'],
  [/清洁|保洁|clean/i, 'brush-o'],
  [/其他|other/i, 'apps-o'],
]

/** A Vant icon for a category, from its names; a wrench-like default for the rest. */
export function categoryIcon(category: { name: string; nameEn: string }): string {
  const text = `${category.name} ${category.nameEn}`
  return ICONS.find(([re]) => re.test(text))?.[1] ?? 'setting-o'
}
