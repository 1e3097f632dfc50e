/** The technician's phone view: their tickets, one ticket live, grab / 接单 / start / note / complete, position sharing. */
import * as G from '@/graphql/generated/graphql'
import { getClient } from '@/graphql/client'
import { operationErrorCode } from '@/graphql/errors'
import { mutate, query, subscribe } from '@/graphql/request'

export type WorkCard = G.WorkTicketCardFieldsFragment
export type WorkTicket = G.WorkTicketFieldsFragment
export type WorkEvent = WorkTicket['timeline'][number]
export type WorkFile = G.WorkFileFieldsFragment
export type WorkPage = G.WorkTicketPageFragment
export type WorkLists = Pick<G.WorkTicketListsQuery, 'todo' | 'grabbable' | 'done'>

// Errors on fields the screen has no input for (e.g. `id`) must go to the toast: name the fields that do.
const noteFields = { formFields: ['note'] }
const noFields = { formFields: [] }

export const fetchWorkLists = (vars: G.WorkTicketListsQueryVariables) => query(G.WorkTicketListsDocument, vars)

export const fetchWorkPage = async (filter: G.TicketFilter, first: number, after: string | null) =>
  (await query(G.WorkTicketsDocument, { filter, first, after }))?.tickets ?? null

/** The ticket, or null when it is not (or no longer) the caller's to see; undefined when the request failed. */
export async function fetchWorkTicket(id: string): Promise<WorkTicket | null | undefined> {
  const data = await query(G.WorkTicketDocument, { id })
  if (!data) return undefined
  return data.node && data.node.__typename === 'Ticket' ? data.node : null
}

/** The ticket now, then after every change (positions included); onError hears refusals and a failed socket. */
export const onWorkTicket = (id: string, handler: (t: WorkTicket) => void, onError: (code: string) => void) =>
  subscribe(G.WorkTicketUpdatesDocument, { id }, (d) => handler(d.ticketUpdates), onError)

export const grabTicket = (id: string) => mutate(G.WorkTicketGrabDocument, { id }, (d) => d.ticketGrab, noFields)
/** 接单: the assigned technician takes the job. */
export const acknowledgeTicket = (id: string) => mutate(G.WorkTicketAcknowledgeDocument, { id }, (d) => d.ticketAssignmentAccept, noFields)
export const startTicket = (id: string) => mutate(G.WorkTicketStartDocument, { id }, (d) => d.ticketStart, noFields)
export const addWorkNote = (id: string, note: string, internal: boolean, fileIds: readonly string[]) =>
  mutate(G.WorkTicketNoteAddDocument, { id, note, internal, fileIds: fileIds.length ? [...fileIds] : null }, (d) => d.ticketNoteAdd, noteFields)
export const completeTicket = (id: string, note: string, fileIds: readonly string[]) =>
  mutate(G.WorkTicketCompleteDocument, { id, note: note || null, fileIds: fileIds.length ? [...fileIds] : null }, (d) => d.ticketComplete, noteFields)
export const setLocationConsent = (id: string, consent: boolean) =>
  mutate(G.WorkLocationConsentDocument, { id, consent }, (d) => d.ticketLocationConsent, noFields)

export type PositionResult = { ok: true; recordedAt: string | null } | { ok: false; code: string }

/**
 * Send the technician's position for a ticket. Quiet on purpose: it runs in the background every 30 s, so its
 * failures are shown once on the sharing card instead of as a toast each time.
 */
export async function reportPosition(id: string, input: G.TicketPositionInput): Promise<PositionResult> {
  const result = await getClient().mutation(G.WorkLocationReportDocument, { id, input }).toPromise()
  if (result.error) return { ok: false, code: operationErrorCode(result.error) }
  const payload = result.data?.ticketLocationReport
  if (!payload) return { ok: false, code: 'UNKNOWN' }
  if (payload.errors.length) return { ok: false, code: payload.errors[0].code }
  return { ok: true, recordedAt: payload.ticket?.technicianPosition?.recordedAt ?? null }
}
