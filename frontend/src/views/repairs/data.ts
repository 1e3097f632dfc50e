/** The console's repair screens: the filter form and its URL form, list columns, age and event texts, dispatch actions. */
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { ColumnDef, OptionDef } from '@/components/schema'
import type { EventKind, Perm, TicketFilter, TicketStatus, Urgency } from '@/graphql/generated/graphql'
import type { QueryParams } from '@/graphql/download'
import type { TicketCard, TicketEvent } from '@/api/repairs'
import { formatDateTime, parseTime } from '@/locales/time'
import { categoryName, placeText, statusLabelKey, STATUSES, URGENCIES } from '@/domains/repairs/tickets'

type Translate = (key: string, params?: Record<string, unknown>) => string

export const statusOptions: readonly OptionDef[] = STATUSES.map((s) => ({ value: s, labelKey: statusLabelKey(s) }))
export const urgencyOptions: readonly OptionDef[] = URGENCIES.map((u) => ({ value: u, labelKey: `repairs.urgency.${u}` }))
export const overdueOptions: readonly OptionDef[] = [
  { value: 'true', labelKey: 'repairs.filter.overdueOnly' },
  { value: 'false', labelKey: 'repairs.filter.onTime' },
]

/** The filter form of the board and the list; every field '' (or empty) means "all". */
export interface TicketSearch {
  categoryId: string
  urgency: Urgency | ''
  overdue: '' | 'true' | 'false'
  technicianId: string
  status: TicketStatus[]
  search: string
}

export const emptyTicketSearch = (): TicketSearch => ({ categoryId: '', urgency: '', overdue: '', technicianId: '', status: [], search: '' })

const one = (value: LocationQuery[string]): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''))

/** The filters from the page's URL (?category=&urgency=&overdue=&technician=&status=A,B&q=), unknown values dropped. */
export function searchFromQuery(query: LocationQuery): TicketSearch {
  const urgency = one(query.urgency)
  const overdue = one(query.overdue)
  return {
    categoryId: one(query.category),
    urgency: (URGENCIES as readonly string[]).includes(urgency) ? (urgency as Urgency) : '',
    overdue: overdue === 'true' || overdue === 'false' ? overdue : '',
    technicianId: one(query.technician),
    status: one(query.status).split(',').filter((s): s is TicketStatus => (STATUSES as readonly string[]).includes(s)),
    search: one(query.q),
  }
}

/** The URL query for the filters, keeping other keys (such as ?ticket=) as they are. */
export function searchToQuery(s: TicketSearch, current: LocationQuery = {}): LocationQueryRaw {
  const out: LocationQueryRaw = { ...current }
  const set = (key: string, value: string) => {
    if (value) out[key] = value
    else delete out[key]
  }
  set('category', s.categoryId)
  set('urgency', s.urgency)
  set('overdue', s.overdue)
  set('technician', s.technicianId)
  set('status', s.status.join(','))
  set('q', s.search.trim())
  return out
}

/** The API's TicketFilter: only the fields that are set, plus the chosen community. */
export function toTicketFilter(s: TicketSearch, communityId: string | null): TicketFilter {
  const filter: TicketFilter = {}
  if (communityId) filter.communityId = communityId
  if (s.categoryId) filter.categoryId = s.categoryId
  if (s.urgency) filter.urgency = s.urgency
  if (s.overdue) filter.overdue = s.overdue === 'true'
  if (s.technicianId) filter.technicianId = s.technicianId
  if (s.status.length) filter.status = [...s.status]
  if (s.search.trim()) filter.search = s.search.trim()
  return filter
}

/** The export's query string for a TicketFilter: the same names, statuses comma-separated. */
export function toExportParams(f: TicketFilter): QueryParams {
  return {
    communityId: f.communityId ?? null,
    categoryId: f.categoryId ?? null,
    urgency: f.urgency ?? null,
    overdue: f.overdue ?? null,
    technicianId: f.technicianId ?? null,
    status: f.status?.length ? f.status.join(',') : null,
    search: f.search ?? null,
  }
}

/** Whether a ticket (as a live event carries it) belongs on a screen with this filter, as the server would decide. */
export function matchesFilter(t: TicketCard, f: TicketFilter): boolean {
  if (f.communityId && t.community?.id !== f.communityId) return false
  if (f.categoryId && t.category.id !== f.categoryId) return false
  if (f.urgency && t.urgency !== f.urgency) return false
  if (f.overdue != null && t.overdue !== f.overdue) return false
  if (f.technicianId && t.technician?.staffMemberId !== f.technicianId) return false
  if (f.status?.length && !f.status.includes(t.status)) return false
  if (f.search) {
    const term = f.search.toLowerCase()
    const digits = /^r?0*(\d{1,15})$/i.exec(term)
    const numberHit = digits !== null && Number(t.number.replace(/\D/g, '')) === Number(digits[1])
    if (!numberHit && !t.description.toLowerCase().includes(term)) return false
  }
  return true
}

// ------------------------------------------------------------------------------------------------ texts

/** How long ago, in the largest whole unit: "5 min", "3 h", "2 d". */
export function ageText(iso: string, now: number, t: Translate): string {
  const minutes = Math.max(0, Math.floor((now - parseTime(iso).getTime()) / 60_000))
  if (minutes < 1) return t('repairs.age.now')
  if (minutes < 60) return t('repairs.age.minutes', { n: minutes })
  if (minutes < 60 * 24) return t('repairs.age.hours', { n: Math.floor(minutes / 60) })
  return t('repairs.age.days', { n: Math.floor(minutes / (60 * 24)) })
}

/** Minutes as "< 1 min", "12 min", "1 h 30 min" or "2 d 3 h". */
export function durationText(minutes: number | null | undefined, t: Translate): string {
  if (minutes == null) return '—'
  const m = Math.round(minutes)
  if (m < 1) return t('repairs.duration.underMinute')
  if (m < 60) return t('repairs.duration.minutes', { m })
  if (m < 60 * 24) return t('repairs.duration.hours', { h: Math.floor(m / 60), m: m % 60 })
  return t('repairs.duration.days', { d: Math.floor(m / (60 * 24)), h: Math.floor((m % (60 * 24)) / 60) })
}

/** "3/5 · 4/5 · 5/5" style rating summary: speed, quality, attitude. */
export const ratingText = (r: { speed: number; quality: number; attitude: number } | null, t: Translate): string =>
  r ? t('repairs.ratingShort', { speed: r.speed, quality: r.quality, attitude: r.attitude }) : ''

/** One timeline step in words: the kind, and the status change when there is one. */
export function eventText(e: Pick<TicketEvent, 'kind' | 'fromStatus' | 'toStatus'>, t: Translate): string {
  const kind = t(`repairs.event.${e.kind satisfies EventKind}`)
  if (e.fromStatus && e.toStatus && e.fromStatus !== e.toStatus) {
    return `${kind}（${t(statusLabelKey(e.fromStatus))} → ${t(statusLabelKey(e.toStatus))}）`
  }
  return kind
}

// ------------------------------------------------------------------------------------------------ actions

export interface TicketActions {
  accept: boolean
  reject: boolean
  /** Assign (accepted) or reassign (assigned, in progress). */
  assign: boolean
  reassign: boolean
  close: boolean
  note: boolean
}

/** What dispatch staff may do to a ticket in this status (the server's transition table, for showing buttons). */
export function actionsFor(status: TicketStatus, perms: ReadonlySet<Perm>): TicketActions {
  const dispatch = perms.has('TICKET_DISPATCH')
  return {
    accept: dispatch && status === 'SUBMITTED',
    reject: dispatch && (status === 'SUBMITTED' || status === 'ACCEPTED'),
    assign: dispatch && status === 'ACCEPTED',
    reassign: dispatch && (status === 'ASSIGNED' || status === 'IN_PROGRESS'),
    close: dispatch && (status === 'COMPLETED' || status === 'RATED'),
    note: dispatch && !['CLOSED', 'REJECTED', 'CANCELLED'].includes(status),
  }
}

// ------------------------------------------------------------------------------------------------ list

// Laid out for 1280 px first: the columns' widths add up to what a 1280 px window leaves beside the menu (~970 px),
// so nothing is clipped and nothing scrolls; narrower screens scroll the table inside its card.
export const ticketColumns = (locale: string, now: () => number): readonly ColumnDef<TicketCard>[] => [
  { prop: 'number', labelKey: 'repairs.field.number', width: 124 },
  { prop: 'status', labelKey: 'common.status', width: 100, format: (r, t) => t(statusLabelKey(r.status)) },
  { prop: 'category', labelKey: 'repairs.field.category', minWidth: 90, format: (r) => categoryName(r.category, locale) },
  { prop: 'place', labelKey: 'repairs.field.place', minWidth: 140, format: (r) => `${placeText(r)} ${r.community?.name ?? ""} ${r.reporter.name}` },
  { prop: 'description', labelKey: 'repairs.field.description', minWidth: 140 },
  { prop: 'technician', labelKey: 'repairs.field.technician', minWidth: 120, format: (r, t) => r.technician?.name ?? t('repairs.unassigned') },
  { prop: 'createdAt', labelKey: 'repairs.field.createdAt', width: 166, format: (r, t) => `${formatDateTime(r.createdAt, r.community?.timezone)} ${ageText(r.createdAt, now(), t)}` },
]
