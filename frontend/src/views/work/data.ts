/** The technician's phone view: list tabs and their filters, whose ticket it is, allowed steps, short time texts. */
import type { Perm, TicketFilter, TicketStatus } from '@/graphql/generated/graphql'
import type { WorkCard } from '@/api/work'
import { formatClock, formatDate, formatShort } from '@/locales/time'

export type WorkTab = 'todo' | 'grabbable' | 'done'
export const WORK_TABS: readonly WorkTab[] = ['todo', 'grabbable', 'done']
export const PAGE_SIZE = 20

/** Statuses behind each tab: to do = assigned or in progress, grabbable = accepted without a technician, done. */
export const TAB_STATUSES: Record<WorkTab, readonly TicketStatus[]> = {
  todo: ['ASSIGNED', 'IN_PROGRESS'],
  grabbable: ['ACCEPTED'],
  done: ['COMPLETED', 'RATED', 'CLOSED'],
}

/**
 * The server's filter for a tab. `mine` makes the server keep the caller's own tickets (to do, done) or the ones
 * not theirs (grabbable), also for someone who reads every ticket, so each list and its totalCount are exact.
 */
export const tabFilter = (tab: WorkTab): TicketFilter => ({ status: [...TAB_STATUSES[tab]], mine: tab !== 'grabbable' })

export const isWorkTab = (value: unknown): value is WorkTab => typeof value === 'string' && (WORK_TABS as readonly string[]).includes(value)

export interface WorkActions {
  grab: boolean
  /** 接单: take the job assigned to me (once). */
  acknowledge: boolean
  start: boolean
  complete: boolean
  note: boolean
  /** Position sharing may be switched (while the ticket is mine and open). */
  share: boolean
}

const NOTE_STATUSES: readonly TicketStatus[] = ['ASSIGNED', 'IN_PROGRESS', 'COMPLETED', 'RATED']

/** What the technician may do to a ticket now (the server's transition table, for showing buttons). */
export function workActionsFor(t: Pick<WorkCard, 'status' | 'technician' | 'acknowledgedAt'>, mine: boolean): WorkActions {
  const s = t.status
  return {
    grab: s === 'ACCEPTED' && !t.technician,
    acknowledge: mine && s === 'ASSIGNED' && !t.acknowledgedAt,
    start: mine && s === 'ASSIGNED',
    complete: mine && s === 'IN_PROGRESS',
    note: mine && NOTE_STATUSES.includes(s),
    share: mine && (s === 'ASSIGNED' || s === 'IN_PROGRESS'),
  }
}

/** Refusals after which the ticket on screen is stale: someone else moved it first. */
export const STALE_CODES = new Set(['ILLEGAL_TRANSITION', 'ALREADY_ASSIGNED', 'GRAB_DISABLED', 'NOT_FOUND'])

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'
export const STATUS_TAG: Record<TicketStatus, TagType> = {
  SUBMITTED: 'danger', ACCEPTED: 'warning', ASSIGNED: 'primary', IN_PROGRESS: 'primary', COMPLETED: 'success',
  RATED: 'success', CLOSED: 'info', REJECTED: 'info', CANCELLED: 'info',
}

/** At most this many photos on a note or a completion (the API's limit). */
export const MAX_PHOTOS = 9
export const MAX_NOTE = 500

// ------------------------------------------------------------------------------------------------ texts

/** The reporter's preferred window in the ticket's zone: "11-22 09:00–11:00" on one day, else both ends; '' when none. */
export function windowText(start: string | null | undefined, end: string | null | undefined, zone: string | null | undefined, now: Date = new Date()): string {
  if (!start && !end) return ''
  const from = formatShort(start, zone, now)
  const to = formatShort(end, zone, now)
  if (!from || !to) return `${from || '…'} – ${to || '…'}`
  return formatDate(start, zone) === formatDate(end, zone) ? `${from}–${formatClock(end, zone)}` : `${from} – ${to}`
}

/** "1号楼-101" for a unit, else the public area. */
export const placeText = (t: Pick<WorkCard, 'unit' | 'publicArea'>): string =>
  t.unit ? `${t.unit.building.name}-${t.unit.number}` : t.publicArea

export const categoryName = (c: { name: string; nameEn: string }, locale: string): string =>
  locale === 'en' && c.nameEn ? c.nameEn : c.name

/** The time that matters next on a card: the accept deadline before work is taken, else the finish deadline. */
export function dueOf(t: Pick<WorkCard, 'status' | 'acceptDue' | 'finishDue'>): { kind: 'accept' | 'finish'; at: string } | null {
  if (t.status === 'SUBMITTED') return { kind: 'accept', at: t.acceptDue }
  if (['ACCEPTED', 'ASSIGNED', 'IN_PROGRESS'].includes(t.status)) return { kind: 'finish', at: t.finishDue }
  return null
}

// ------------------------------------------------------------------------------------------------ landing

/** Permissions that come with console screens for repairs: someone holding one of them is not only a technician. */
const CONSOLE_REPAIR_PERMS: readonly Perm[] = ['TICKET_READ', 'TICKET_DISPATCH', 'TICKET_STATS', 'REPAIR_CONFIG']
export const NARROW_MAX_WIDTH = 767
export const WORK_HOME = '/m/tickets'

/** A technician (ticket.work and no other repair permission) on a phone-sized screen starts in the phone view. */
export function prefersWorkView(perms: ReadonlySet<string>, viewportWidth: number): boolean {
  return perms.has('TICKET_WORK') && !CONSOLE_REPAIR_PERMS.some((p) => perms.has(p)) && viewportWidth <= NARROW_MAX_WIDTH
}
