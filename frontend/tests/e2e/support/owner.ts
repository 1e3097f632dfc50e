/**
 * The owner app's end-to-end helpers: staff act through the API (company admin, technician) while the owner acts
 * on screen; small PNG photos made in the test; waiting for a ticket to reach a status.
 */
import { deflateSync } from 'node:zlib'
import { gql } from './api'

// ------------------------------------------------------------------------------------------- photos

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Buffer): number {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** A width × height RGB PNG: a diagonal gradient of the colour, so a compressed copy still differs from a blank. */
export function makePng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1)
    raw[row] = 0 // no filter
    for (let x = 0; x < width; x++) {
      const shade = (x + y) / (width + height)
      raw[row + 1 + x * 3] = Math.round(rgb[0] * (0.5 + shade / 2))
      raw[row + 2 + x * 3] = Math.round(rgb[1] * (0.5 + shade / 2))
      raw[row + 3 + x * 3] = Math.round(rgb[2] * (0.5 + shade / 2))
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// ------------------------------------------------------------------------------------------- staff through the API

interface Payload {
  errors: { field?: string | null; code: string }[]
}

async function run<T extends Payload>(baseURL: string, token: string, name: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const result = await gql<Record<string, T>>(baseURL, query, variables, token)
  const payload = result.data?.[name]
  if (!payload || payload.errors.length) throw new Error(`${name} failed: ${JSON.stringify(result.errors ?? payload?.errors)}`)
  return payload
}

export async function approveBinding(baseURL: string, staffToken: string, id: string): Promise<void> {
  await run(baseURL, staffToken, 'bindingApprove',
    'mutation E2EApprove($id: ID!) { bindingApprove(id: $id) { binding { id status } errors { field code } } }', { id })
}

/** Staff accept a ticket and, unless the community assigned it by itself, give it to the technician named. */
export async function acceptAndAssign(baseURL: string, staffToken: string, ticketId: string, technicianName: string): Promise<void> {
  const accepted = await run<Payload & { ticket: { status: string; community: { id: string } } }>(baseURL, staffToken, 'ticketAccept',
    'mutation E2EAccept($id: ID!) { ticketAccept(id: $id) { ticket { status community { id } } errors { field code } } }', { id: ticketId })
  if (accepted.ticket.status !== 'ACCEPTED') return
  const techs = await gql<{ technicianWorkload: { technician: { name: string; staffMemberId: string | null } }[] }>(
    baseURL, 'query E2ETechs($c: ID!) { technicianWorkload(communityId: $c) { technician { name staffMemberId } } }',
    { c: accepted.ticket.community.id }, staffToken)
  const tech = techs.data?.technicianWorkload.find((w) => w.technician.name === technicianName)?.technician
  if (!tech?.staffMemberId) throw new Error(`no technician ${technicianName}: ${JSON.stringify(techs.errors ?? techs.data)}`)
  await run(baseURL, staffToken, 'ticketAssign',
    'mutation E2EAssign($id: ID!, $tech: ID!) { ticketAssign(id: $id, technicianId: $tech) { ticket { status } errors { field code } } }',
    { id: ticketId, tech: tech.staffMemberId })
}

/** The technician takes the job and starts, sharing their position (at the given point), as the work app would. */
export async function technicianStarts(baseURL: string, techToken: string, ticketId: string, at: { latitude: number; longitude: number }): Promise<void> {
  await run(baseURL, techToken, 'ticketAssignmentAccept',
    'mutation E2ETake($id: ID!) { ticketAssignmentAccept(id: $id) { ticket { status } errors { field code } } }', { id: ticketId })
  await run(baseURL, techToken, 'ticketLocationConsent',
    'mutation E2EConsent($id: ID!) { ticketLocationConsent(id: $id, consent: true) { ticket { status } errors { field code } } }', { id: ticketId })
  await run(baseURL, techToken, 'ticketStart',
    'mutation E2EStart($id: ID!) { ticketStart(id: $id) { ticket { status } errors { field code } } }', { id: ticketId })
  await run(baseURL, techToken, 'ticketLocationReport',
    'mutation E2EWhere($id: ID!, $input: TicketPositionInput!) { ticketLocationReport(id: $id, input: $input) { ticket { status } errors { field code } } }',
    { id: ticketId, input: { ...at, accuracy: 15 } })
}

export async function technicianCompletes(baseURL: string, techToken: string, ticketId: string, note: string): Promise<void> {
  await run(baseURL, techToken, 'ticketComplete',
    'mutation E2EDone($id: ID!, $note: String) { ticketComplete(id: $id, note: $note) { ticket { status } errors { field code } } }',
    { id: ticketId, note })
}

/** Pending binding requests staff see, newest first, as the id and unit number of each. */
export async function pendingRequests(baseURL: string, staffToken: string): Promise<{ id: string; number: string | null; name: string | null }[]> {
  const result = await gql<{ bindings: { nodes: { id: string; unit: { number: string } | null; user: { name: string } | null }[] } }>(
    baseURL,
    'query E2EPending($filter: BindingFilter) { bindings(filter: $filter, first: 50) { nodes { id unit { number } user { name } } } }',
    { filter: { status: 'PENDING' } },
    staffToken,
  )
  if (!result.data) throw new Error(`bindings failed: ${JSON.stringify(result.errors)}`)
  return result.data.bindings.nodes.map((n) => ({ id: n.id, number: n.unit?.number ?? null, name: n.user?.name ?? null }))
}

// ------------------------------------------------------------------------------------------- what was uploaded

/** Width and height of a JPEG (its first SOFn frame header) or PNG (IHDR); null for anything else. */
export function imageSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length > 24 && bytes.readUInt32BE(0) === 0x89504e47) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null
  let at = 2
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null
    const marker = bytes[at + 1]
    const length = bytes.readUInt16BE(at + 2)
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isFrame) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) }
    at += 2 + length
  }
  return null
}

/** The photos of a ticket as stored: media type and pixel size of each, read by staff. */
export async function ticketPhotos(baseURL: string, staffToken: string, ticketId: string): Promise<{ contentType: string; width: number; height: number }[]> {
  const result = await gql<{ node: { files: { url: string; contentType: string }[] } | null }>(
    baseURL, 'query E2ETicketFiles($id: ID!) { node(id: $id) { ... on Ticket { files { url contentType } } } }', { id: ticketId }, staffToken)
  const files = result.data?.node?.files
  if (!files) throw new Error(`ticket files failed: ${JSON.stringify(result.errors)}`)
  return Promise.all(files.map(async (f) => {
    const response = await fetch(new URL(f.url, baseURL), { headers: { authorization: `Bearer ${staffToken}` } })
    if (!response.ok) throw new Error(`download ${f.url}: ${response.status}`)
    const size = imageSize(Buffer.from(await response.arrayBuffer()))
    if (!size) throw new Error(`${f.url} is not a JPEG or PNG`)
    return { contentType: f.contentType, ...size }
  }))
}
