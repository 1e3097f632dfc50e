/** The owner's repairs: categories, reporting, my tickets, one ticket live, cancel, reopen and rate. */
import { mutate, query, subscribe, upload, type UploadResult } from '@/h5/graphql/request'
import {
  H5MyTicketsDocument,
  H5RepairCategoriesDocument,
  H5TicketCancelDocument,
  H5TicketCreateDocument,
  H5TicketDocument,
  H5TicketRateDocument,
  H5TicketReopenDocument,
  H5TicketUpdatesDocument,
  type H5RepairCategoriesQuery,
  type H5TicketCardFragment,
  type H5TicketDetailFragment,
  type TicketCreateInput,
  type TicketRateInput,
  type TicketStatus,
} from '@/graphql/generated/graphql'

export type TicketCard = H5TicketCardFragment
export type TicketDetail = H5TicketDetailFragment
export type RepairCategory = H5RepairCategoriesQuery['repairCategories'][number]

export async function fetchCategories(communityId: string): Promise<RepairCategory[] | null> {
  const data = await query(H5RepairCategoriesDocument, { communityId })
  return data ? [...data.repairCategories].sort((a, b) => a.sort - b.sort) : null
}

export interface TicketPage {
  nodes: TicketCard[]
  hasNextPage: boolean
  endCursor: string | null
}

export async function fetchMyTickets(status: TicketStatus[] | null, after: string | null, first = 20): Promise<TicketPage | null> {
  const data = await query(H5MyTicketsDocument, { status, after, first })
  if (!data) return null
  const { nodes, pageInfo } = data.myTickets
  return { nodes, hasNextPage: pageInfo.hasNextPage, endCursor: pageInfo.endCursor ?? null }
}

/** The ticket now: null when it is not there (or not the caller's), undefined when the request failed. */
export async function fetchTicket(id: string): Promise<TicketDetail | null | undefined> {
  const data = await query(H5TicketDocument, { id })
  if (!data) return undefined
  return data.node?.__typename === 'Ticket' ? data.node : null
}

/** Follow one ticket: the server sends it as it is on every (re)subscribe, then after every step. */
export function followTicket(id: string, next: (ticket: TicketDetail) => void): () => void {
  return subscribe(H5TicketUpdatesDocument, { id }, (data) => next(data.ticketUpdates))
}

export const REPORT_FIELDS = ['description', 'categoryId', 'preferredStart', 'preferredEnd', 'fileIds'] as const

export function createTicket(input: TicketCreateInput) {
  return mutate(H5TicketCreateDocument, { input }, (d) => d.ticketCreate, { formFields: REPORT_FIELDS })
}

export function cancelTicket(id: string, reason: string | null) {
  return mutate(H5TicketCancelDocument, { id, reason }, (d) => d.ticketCancel)
}

export function reopenTicket(id: string, reason: string | null) {
  return mutate(H5TicketReopenDocument, { id, reason }, (d) => d.ticketReopen, {
    codeKeys: { REOPEN_WINDOW_PASSED: 'repairs.detail.reopenPassed' },
  })
}

export function rateTicket(id: string, input: TicketRateInput) {
  return mutate(H5TicketRateDocument, { id, input }, (d) => d.ticketRate, { formFields: ['comment'] })
}

export function uploadPhoto(blob: Blob, name: string, onProgress: (f: number) => void): Promise<UploadResult> {
  return upload(blob, name, 'TICKET_PHOTO', onProgress)
}

export function uploadVideo(file: File, onProgress: (f: number) => void): Promise<UploadResult> {
  return upload(file, file.name || 'video.mp4', 'TICKET_VIDEO', onProgress)
}
