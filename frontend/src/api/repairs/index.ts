/** Repairs for the property console: tickets (lists, the board, one ticket live), dispatch, technicians, settings. */
import * as G from '@/graphql/generated/graphql'
import { mutate, query, subscribe } from '@/graphql/request'

export type TicketCard = G.TicketCardFieldsFragment
export type TicketDetail = G.TicketDetailFieldsFragment
export type TicketEvent = TicketDetail['timeline'][number]
export type StoredFile = G.StoredFileFieldsFragment
export type TicketBoardData = G.TicketBoardQuery
export type RepairCategory = G.RepairCategoryFieldsFragment
export type RepairSettings = G.RepairSettingsFieldsFragment
export type Workload = G.TechnicianWorkloadQuery['technicianWorkload'][number]
export type TechnicianStatsRow = G.TechnicianStatsQuery['technicianStats'][number]

// Errors on fields the screen has no input for (e.g. `id`) must go to the toast: name the fields that do.
const noteFields = { formFields: ['note', 'reason'] }
const noFields = { formFields: [] }

export const listTickets = (vars: G.TicketsQueryVariables) => query(G.TicketsDocument, vars)
export const fetchBoard = (vars: G.TicketBoardQueryVariables) => query(G.TicketBoardDocument, vars)

/** One ticket: null when it is not there or not the caller's to see, undefined when the request failed. */
export async function fetchTicket(id: string): Promise<TicketDetail | null | undefined> {
  const data = await query(G.TicketDetailDocument, { id })
  if (!data) return undefined
  return data.node && data.node.__typename === 'Ticket' ? data.node : null
}

/** The ticket now, then after every change; onError hears refusals (NOT_FOUND) and a failed socket. */
export const onTicketUpdates = (id: string, handler: (t: TicketDetail) => void, onError: (code: string) => void) =>
  subscribe(G.TicketUpdatesDocument, { id }, (d) => handler(d.ticketUpdates), onError)

/** Changes to a community's tickets, as they happen (no current state first: refetch on subscribe). */
export const onCommunityTicketEvents = (
  communityId: string,
  handler: (kind: G.EventKind, ticket: TicketCard) => void,
  onError: (code: string) => void,
) => subscribe(G.CommunityTicketEventsDocument, { communityId }, (d) => handler(d.communityTicketEvents.kind, d.communityTicketEvents.ticket), onError)

export const acceptTicket = (id: string) => mutate(G.TicketAcceptDocument, { id }, (d) => d.ticketAccept, noFields)
export const rejectTicket = (id: string, reason: string) => mutate(G.TicketRejectDocument, { id, reason }, (d) => d.ticketReject, noteFields)
export const assignTicket = (id: string, technicianId: string, note: string | null) =>
  mutate(G.TicketAssignDocument, { id, technicianId, note }, (d) => d.ticketAssign, noteFields)
// Closing asks for its note in a prompt that cannot show a field error: every refusal is a toast.
export const closeTicket = (id: string, note: string | null) => mutate(G.TicketCloseDocument, { id, note }, (d) => d.ticketClose, noFields)
export const addTicketNote = (id: string, note: string, internal: boolean, fileIds: string[]) =>
  mutate(G.TicketNoteAddDocument, { id, note, internal, fileIds: fileIds.length ? fileIds : null }, (d) => d.ticketNoteAdd, noteFields)

export const listCategories = async (includeDisabled = true) =>
  (await query(G.RepairCategoriesDocument, { includeDisabled }))?.repairCategories ?? null
const categoryFields = { formFields: ['name', 'nameEn', 'sort'] }
export const createCategory = (input: G.RepairCategoryInput) =>
  mutate(G.RepairCategoryCreateDocument, { input }, (d) => d.repairCategoryCreate, categoryFields)
export const updateCategory = (id: string, input: G.RepairCategoryInput) =>
  mutate(G.RepairCategoryUpdateDocument, { id, input }, (d) => d.repairCategoryUpdate, categoryFields)

export const fetchSettings = async (communityId: string) => (await query(G.RepairSettingsDocument, { communityId }))?.repairSettings ?? null
export const updateSettings = (communityId: string, input: G.RepairSettingsInput) =>
  mutate(G.RepairSettingsUpdateDocument, { communityId, input }, (d) => d.repairSettingsUpdate, {
    formFields: ['normalAcceptMinutes', 'normalFinishHours', 'urgentAcceptMinutes', 'urgentFinishHours'],
  })

export const fetchWorkload = async (communityId: string) =>
  (await query(G.TechnicianWorkloadDocument, { communityId }))?.technicianWorkload ?? null
export const setSkills = (staffId: string, categoryIds: string[]) =>
  mutate(G.TechnicianSkillsSetDocument, { staffId, categoryIds }, (d) => d.technicianSkillsSet, noFields)

export const fetchStats = async (month: string, communityId: string | null) =>
  (await query(G.TechnicianStatsDocument, { month, communityId }))?.technicianStats ?? null
