/** The technician's phone view: list tabs and their filters, and the steps the technician may take. */
import type { TicketFilter, TicketStatus } from '@/graphql/generated/graphql'
import type { WorkCard } from '@/api/work'

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
