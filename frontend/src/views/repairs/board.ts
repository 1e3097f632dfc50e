/** The ticket board: its columns, the one-request variables, and how a live event moves a card. */
import type { EventKind, TicketBoardQueryVariables, TicketFilter, TicketStatus } from '@/graphql/generated/graphql'
import type { TicketBoardData, TicketCard } from '@/api/repairs'
import { statusLabelKey } from '@/domains/repairs/tickets'
import { matchesFilter } from './data'

export type ColumnKey = 'submitted' | 'accepted' | 'assigned' | 'inProgress' | 'completed' | 'done'

export interface BoardColumnDef {
  key: ColumnKey
  statuses: readonly TicketStatus[]
  /** Header colour. */
  color: string
}

export const BOARD_COLUMNS: readonly BoardColumnDef[] = [
  { key: 'submitted', statuses: ['SUBMITTED'], color: '#f56c6c' },
  { key: 'accepted', statuses: ['ACCEPTED'], color: '#e6a23c' },
  { key: 'assigned', statuses: ['ASSIGNED'], color: '#409eff' },
  { key: 'inProgress', statuses: ['IN_PROGRESS'], color: '#2b5aa6' },
  { key: 'completed', statuses: ['COMPLETED'], color: '#67c23a' },
  { key: 'done', statuses: ['RATED', 'CLOSED', 'REJECTED', 'CANCELLED'], color: '#909399' },
]

/** A column's title: the status's one word when it holds one status, else "finished". */
export const columnLabelKey = (col: BoardColumnDef): string =>
  col.statuses.length === 1 ? statusLabelKey(col.statuses[0]) : 'repairs.board.done'

/** Cards per open column, and of finished ones (the "done" column shows only the latest). */
export const COLUMN_LIMIT = 50
export const DONE_LIMIT = 20

export interface BoardColumn {
  total: number
  cards: TicketCard[]
}
export type Board = Record<ColumnKey, BoardColumn>

export const emptyBoard = (): Board => ({
  submitted: { total: 0, cards: [] }, accepted: { total: 0, cards: [] }, assigned: { total: 0, cards: [] },
  inProgress: { total: 0, cards: [] }, completed: { total: 0, cards: [] }, done: { total: 0, cards: [] },
})

export function columnOf(status: TicketStatus): ColumnKey {
  return (BOARD_COLUMNS.find((c) => c.statuses.includes(status)) ?? BOARD_COLUMNS[BOARD_COLUMNS.length - 1]).key
}

/** Variables of the TicketBoard query: the page's filter with each column's statuses. */
export function boardVariables(filter: TicketFilter, first = COLUMN_LIMIT, doneFirst = DONE_LIMIT): TicketBoardQueryVariables {
  const { status: _ignored, ...base } = filter
  const of = (key: ColumnKey): TicketFilter => ({ ...base, status: [...(BOARD_COLUMNS.find((c) => c.key === key)?.statuses ?? [])] })
  return {
    submitted: of('submitted'), accepted: of('accepted'), assigned: of('assigned'), inProgress: of('inProgress'),
    completed: of('completed'), done: of('done'), first, doneFirst,
  }
}

export function boardFromData(data: TicketBoardData): Board {
  const col = (c: { totalCount: number; nodes: TicketCard[] }): BoardColumn => ({ total: c.totalCount, cards: [...c.nodes] })
  return {
    submitted: col(data.submitted), accepted: col(data.accepted), assigned: col(data.assigned),
    inProgress: col(data.inProgress), completed: col(data.completed), done: col(data.done),
  }
}

const newestFirst = (a: TicketCard, b: TicketCard) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id))

export interface EventResult {
  board: Board
  /** Where the card is now; null when it left the board (filtered out). */
  column: ColumnKey | null
  /** The board cannot tell the totals right from this event alone (a card it had not loaded): refetch soon. */
  needsRefetch: boolean
}

/**
 * Apply one live event: the ticket leaves the column it was in and, when it still matches the filter, joins the
 * column of its new status (newest first, the column's limit kept). Totals follow.
 */
export function applyEvent(board: Board, kind: EventKind, ticket: TicketCard, filter: TicketFilter): EventResult {
  const next = { ...board } as Board
  let found: ColumnKey | null = null
  for (const c of BOARD_COLUMNS) {
    const column = board[c.key]
    if (column.cards.some((t) => t.id === ticket.id)) {
      found = c.key
      next[c.key] = { total: Math.max(0, column.total - 1), cards: column.cards.filter((t) => t.id !== ticket.id) }
    }
  }
  // A known card, or a brand-new ticket, tells the totals exactly; any other ticket might have sat beyond the limit.
  const needsRefetch = found === null && kind !== 'CREATED'
  if (!matchesFilter(ticket, { ...filter, status: null })) return { board: next, column: null, needsRefetch }
  const key = columnOf(ticket.status)
  const limit = key === 'done' ? DONE_LIMIT : COLUMN_LIMIT
  const target = next[key]
  const cards = [...target.cards, ticket].sort(newestFirst).slice(0, limit)
  next[key] = { total: target.total + 1, cards }
  return { board: next, column: key, needsRefetch }
}
