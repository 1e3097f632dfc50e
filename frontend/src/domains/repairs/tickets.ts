/**
 * Repair tickets as both the console's repair screens (views/repairs) and the technician's phone view (views/work)
 * show them: statuses and their tag colours, place and category texts, the deadline that matters next, the
 * reporter's preferred window, the refusals that make a ticket on screen stale, and the API's limits for notes.
 */
import type { EventKind, TicketStatus, Urgency } from '@/graphql/generated/graphql'
import { formatClock, formatDate, formatShort } from '@/locales/time'

export const STATUSES: readonly TicketStatus[] = [
  'SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'COMPLETED', 'RATED', 'CLOSED', 'REJECTED', 'CANCELLED',
]
/** Statuses in which a ticket still needs someone to act. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS']
export const URGENCIES: readonly Urgency[] = ['NORMAL', 'URGENT']

/**
 * The one word for a status, wherever a ticket's status is shown (console tables, board columns, dashboard tiles,
 * the technician's phone): the locale key `repairs.status.<STATUS>`.
 */
export const statusLabelKey = (status: TicketStatus): string => `repairs.status.${status}`

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

/** Element Plus tag colour per status. */
export const STATUS_TAG: Record<TicketStatus, TagType> = {
  SUBMITTED: 'danger', ACCEPTED: 'warning', ASSIGNED: 'primary', IN_PROGRESS: 'primary', COMPLETED: 'success',
  RATED: 'success', CLOSED: 'info', REJECTED: 'info', CANCELLED: 'info',
}

/** Timeline dot colour per event kind; kinds not listed are grey. */
export const EVENT_COLORS: Partial<Record<EventKind, string>> = {
  CREATED: '#909399', ACCEPTED: '#e6a23c', ASSIGNED: '#409eff', REASSIGNED: '#409eff', GRABBED: '#409eff',
  ACKNOWLEDGED: '#409eff', STARTED: '#2b5aa6', COMPLETED: '#67c23a', RATED: '#67c23a', REJECTED: '#f56c6c',
  CANCELLED: '#909399', CLOSED: '#909399', REOPENED: '#e6a23c',
}

/**
 * Refusals after which the ticket on screen is stale: someone else moved it first (a dispatcher or another
 * technician), so the screen refetches instead of trusting what it shows.
 */
export const STALE_CODES: ReadonlySet<string> = new Set(['ILLEGAL_TRANSITION', 'ALREADY_ASSIGNED', 'ALREADY_RATED', 'GRAB_DISABLED', 'NOT_FOUND'])

/** At most this many photos on a note or a completion (the API's limit). */
export const MAX_PHOTOS = 9
/** The longest note the API takes. */
export const MAX_NOTE = 500

/** Where a ticket is, as every ticket fragment carries it. */
export interface TicketPlace {
  unit: { number: string; building: { name: string } } | null
  publicArea: string
}

/** "1号楼-101" for a unit, else the public area. */
export const placeText = (t: TicketPlace): string => (t.unit ? `${t.unit.building.name}-${t.unit.number}` : t.publicArea)

/** The category's English name in English when it has one, else its name. */
export const categoryName = (c: { name: string; nameEn: string }, locale: string): string =>
  locale === 'en' && c.nameEn ? c.nameEn : c.name

export interface Due {
  kind: 'accept' | 'finish'
  at: string
}

/** The time that matters next: the accept deadline before the ticket is accepted, then the finish deadline while open. */
export function dueOf(t: { status: TicketStatus; acceptDue: string; finishDue: string }): Due | null {
  if (t.status === 'SUBMITTED') return { kind: 'accept', at: t.acceptDue }
  if (OPEN_STATUSES.includes(t.status)) return { kind: 'finish', at: t.finishDue }
  return null
}

/** The reporter's preferred window in the ticket's zone: "11-22 09:00–11:00" on one day, else both ends; '' when none. */
export function windowText(start: string | null | undefined, end: string | null | undefined, zone: string | null | undefined, now: Date = new Date()): string {
  if (!start && !end) return ''
  const from = formatShort(start, zone, now)
  const to = formatShort(end, zone, now)
  if (!from || !to) return `${from || '…'} – ${to || '…'}`
  return formatDate(start, zone) === formatDate(end, zone) ? `${from}–${formatClock(end, zone)}` : `${from} – ${to}`
}
