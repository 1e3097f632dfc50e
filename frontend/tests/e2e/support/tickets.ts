/** Repair tickets straight through the API (no browser): an owner reports and rates, staff look at figures. */
import { gql } from './api'

interface Payload<T> {
  errors: { field?: string | null; code: string }[]
  ticket: T | null
}

function unwrap<T>(name: string, result: { data?: Record<string, Payload<T>> | null; errors?: unknown }): T {
  const payload = result.data?.[name]
  if (!payload?.ticket) throw new Error(`${name} failed: ${JSON.stringify(result.errors ?? payload?.errors)}`)
  return payload.ticket
}

/** The owner reports a repair for their first bound unit; returns the ticket's id and number. */
export async function reportRepair(baseURL: string, ownerToken: string, description: string): Promise<{ id: string; number: string }> {
  const me = await gql<{ viewer: { bindings: { status: string; unit: { id: string; community: { id: string } } }[] } }>(
    baseURL,
    'query E2EMyUnits { viewer { bindings { status unit { id community { id } } } } }',
    {},
    ownerToken,
  )
  const unit = me.data?.viewer.bindings.find((b) => b.status === 'APPROVED')?.unit
  if (!unit) throw new Error(`the owner has no approved unit: ${JSON.stringify(me.errors)}`)
  const categories = await gql<{ repairCategories: { id: string; name: string }[] }>(
    baseURL,
    'query E2ECategories($c: ID) { repairCategories(communityId: $c) { id name } }',
    { c: unit.community.id },
    ownerToken,
  )
  const category = categories.data?.repairCategories.find((c) => c.name === '水电') ?? categories.data?.repairCategories[0]
  if (!category) throw new Error(`no repair categories: ${JSON.stringify(categories.errors)}`)
  const result = await gql<Record<string, Payload<{ id: string; number: string }>>>(
    baseURL,
    'mutation E2EReport($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id number } errors { field code } } }',
    { input: { unitId: unit.id, categoryId: category.id, description, urgency: 'URGENT', idempotencyKey: `e2e-${Date.now()}-${Math.random()}` } },
    ownerToken,
  )
  return unwrap('ticketCreate', result)
}

/** A ticket as its reporter sees it: status and the files of each timeline step. */
export async function ticketAsOwner(baseURL: string, ownerToken: string, id: string): Promise<{ status: string; timeline: { kind: string; note: string; files: { url: string }[] }[] }> {
  const result = await gql<{ node: { status: string; timeline: { kind: string; note: string; files: { url: string }[] }[] } | null }>(
    baseURL,
    'query E2ETicket($id: ID!) { node(id: $id) { ... on Ticket { status timeline { kind note files { url } } } } }',
    { id },
    ownerToken,
  )
  if (!result.data?.node) throw new Error(`ticket ${id} not visible: ${JSON.stringify(result.errors)}`)
  return result.data.node
}

/** The reporter rates a completed ticket. */
export async function rateRepair(baseURL: string, ownerToken: string, id: string, stars: number): Promise<string> {
  const result = await gql<Record<string, Payload<{ status: string }>>>(
    baseURL,
    'mutation E2ERate($id: ID!, $input: TicketRateInput!) { ticketRate(id: $id, input: $input) { ticket { status } errors { field code } } }',
    { id, input: { speed: stars, quality: stars, attitude: stars, comment: 'e2e' } },
    ownerToken,
  )
  return unwrap('ticketRate', result).status
}

/** This month's figures for one technician (by name), as staff with ticket.stats see them. */
export async function statsFor(baseURL: string, token: string, technician: string): Promise<{ completedCount: number; ratedCount: number } | undefined> {
  const month = new Date().toISOString().slice(0, 7)
  const result = await gql<{ technicianStats: { technician: { name: string }; completedCount: number; ratedCount: number }[] }>(
    baseURL,
    'query E2EStats($m: String!) { technicianStats(month: $m) { technician { name } completedCount ratedCount } }',
    { m: month },
    token,
  )
  if (!result.data) throw new Error(`technicianStats failed: ${JSON.stringify(result.errors)}`)
  return result.data.technicianStats.find((s) => s.technician.name === technician)
}
