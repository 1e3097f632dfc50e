/** Talk to /graphql straight from the test (no browser): sign in, make data, check what the API refuses. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { DEMO_PASSWORD } from './env'

export interface GqlError {
  message: string
  extensions?: { code?: string }
}
export interface GqlResponse<T> {
  data?: T | null
  errors?: GqlError[]
}

export async function gql<T>(baseURL: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${baseURL}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) })
  return (await response.json()) as GqlResponse<T>
}

/** An access token for a phone + password, or an error naming the codes the API returned. */
export async function login(baseURL: string, phone: string, password = DEMO_PASSWORD): Promise<string> {
  const result = await gql<{ authPasswordLogin: { tokens: { accessToken: string } | null; errors: { code: string }[] } }>(
    baseURL,
    'mutation E2ELogin($phone: String!, $password: String!) { authPasswordLogin(phone: $phone, password: $password) { tokens { accessToken } errors { code } } }',
    { phone, password },
  )
  const payload = result.data?.authPasswordLogin
  if (!payload?.tokens) throw new Error(`login ${phone} failed: ${JSON.stringify(result.errors ?? payload?.errors)}`)
  return payload.tokens.accessToken
}

/** Ids of the units of a building, by unit number. */
export async function unitsOf(baseURL: string, token: string, buildingId: string): Promise<Map<string, string>> {
  const result = await gql<{ units: { nodes: { id: string; number: string }[] } }>(
    baseURL,
    'query E2EUnits($filter: UnitFilter) { units(filter: $filter, first: 100) { nodes { id number } } }',
    { filter: { buildingId } },
    token,
  )
  if (!result.data) throw new Error(`units query failed: ${JSON.stringify(result.errors)}`)
  return new Map(result.data.units.nodes.map((u) => [u.number, u.id]))
}

/** The signed-in person asks to be bound to a unit; returns the binding id. */
export async function requestBinding(baseURL: string, token: string, unitId: string, relation: 'OWNER' | 'FAMILY' | 'TENANT'): Promise<string> {
  const result = await gql<{ bindingRequest: { binding: { id: string; status: string } | null; errors: { code: string }[] } }>(
    baseURL,
    'mutation E2EBind($unitId: ID!, $relation: Relation!) { bindingRequest(unitId: $unitId, relation: $relation) { binding { id status } errors { code } } }',
    { unitId, relation },
    token,
  )
  const binding = result.data?.bindingRequest.binding
  if (!binding) throw new Error(`bindingRequest failed: ${JSON.stringify(result.errors ?? result.data?.bindingRequest.errors)}`)
  return binding.id
}

/** Status of each of the caller's own bindings, by binding id. */
export async function myBindings(baseURL: string, token: string): Promise<Map<string, string>> {
  const result = await gql<{ viewer: { bindings: { id: string; status: string }[] } }>(
    baseURL,
    'query E2EMyBindings { viewer { bindings { id status } } }',
    {},
    token,
  )
  if (!result.data) throw new Error(`viewer query failed: ${JSON.stringify(result.errors)}`)
  return new Map(result.data.viewer.bindings.map((b) => [b.id, b.status]))
}

/** The latest code the dev SMS stand-in took for this phone and purpose (login, reset, bind), from its outbox. */
export function lastSmsCode(dataDir: string, phone: string, purpose: 'login' | 'reset' | 'bind'): string | null {
  let lines: string[]
  try {
    lines = readFileSync(path.join(dataDir, 'sms-outbox.jsonl'), 'utf8').trim().split('\n')
  } catch {
    return null
  }
  for (const line of lines.reverse()) {
    const record = JSON.parse(line) as { phone?: string; template?: string; params?: { code?: string } }
    if (record.phone === phone && record.template === purpose && record.params?.code) return record.params.code
  }
  return null
}
