/**
 * Talk to /graphql straight from the test (no browser): sign in, make data, check what the API refuses.
 *
 * The backend runs with TRUSTED_DOCUMENTS=owners (global-setup.ts), so owners and visitors may send only trusted
 * documents by id. `gql()` therefore registers each document a test writes under the app name `e2e` through the
 * platform admin (trustedDocumentsRegister, the API third-party apps' documents go through), once per backend,
 * and sends it by id; `gqlText()` sends the text itself, for checking what the server refuses.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { DEMO, DEMO_PASSWORD, FRONTEND_DIR } from './env'

export interface GqlError {
  message: string
  extensions?: { code?: string }
}
export interface GqlResponse<T> {
  data?: T | null
  errors?: GqlError[]
}

/** The id of a document: "sha256:" and the hex SHA-256 of its text, as the server computes it. */
export function documentIdOf(query: string): string {
  return `sha256:${createHash('sha256').update(query, 'utf8').digest('hex')}`
}

async function post<T>(baseURL: string, body: Record<string, unknown>, token?: string): Promise<GqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${baseURL}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) })
  return (await response.json()) as GqlResponse<T>
}

/** Send the document's text (an ad-hoc document): staff may, owners and visitors may not under TRUSTED_DOCUMENTS=owners. */
export function gqlText<T>(baseURL: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResponse<T>> {
  return post<T>(baseURL, { query, variables }, token)
}

/** Send a document by its id (documentId), whether or not the server knows it. */
export function gqlById<T>(baseURL: string, documentId: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResponse<T>> {
  return post<T>(baseURL, { documentId, variables }, token)
}

/** The id of a shipped document (frontend/src/graphql/generated/persisted-documents.json) by its operation's name. */
function shipped(operation: string): string {
  const manifest = JSON.parse(readFileSync(path.join(FRONTEND_DIR, 'src/graphql/generated/persisted-documents.json'), 'utf8')) as Record<string, string>
  const pattern = new RegExp(`\\b(query|mutation|subscription) ${operation}\\b`)
  const found = Object.keys(manifest).find((id) => pattern.test(manifest[id]))
  if (!found) throw new Error(`the manifest has no ${operation}: run npm run codegen`)
  return found
}

const adminTokens = new Map<string, Promise<string>>()
const registered = new Map<string, Promise<void>>()

function platformAdmin(baseURL: string): Promise<string> {
  let token = adminTokens.get(baseURL)
  if (!token) {
    // the console's own sign-in and registration, by their shipped ids: this works whatever TRUSTED_DOCUMENTS says
    token = gqlById<{ authPasswordLogin: { tokens: { accessToken: string } | null } }>(baseURL, shipped('AuthPasswordLogin'), {
      phone: DEMO.platformAdmin,
      password: DEMO_PASSWORD,
    }).then((result) => {
      const tokens = result.data?.authPasswordLogin.tokens
      if (!tokens) throw new Error(`e2e: the platform admin cannot sign in: ${JSON.stringify(result)}`)
      return tokens.accessToken
    })
    token.catch(() => adminTokens.delete(baseURL))
    adminTokens.set(baseURL, token)
  }
  return token
}

/** Register the document under app `e2e` once per backend (registering again would change nothing anyway). */
function ensureRegistered(baseURL: string, query: string, documentId: string): Promise<void> {
  const key = `${baseURL} ${documentId}`
  let done = registered.get(key)
  if (!done) {
    done = platformAdmin(baseURL)
      .then((admin) =>
        gqlById<{ trustedDocumentsRegister: { errors: GqlError[] } }>(baseURL, shipped('TrustedDocumentsRegister'), { app: 'e2e', documents: [query] }, admin),
      )
      .then((result) => {
        const errors = result.errors ?? result.data?.trustedDocumentsRegister.errors ?? []
        if (!result.data || errors.length > 0) throw new Error(`e2e: registering a test document failed: ${JSON.stringify(errors)}\n${query}`)
      })
    done.catch(() => registered.delete(key))
    registered.set(key, done)
  }
  return done
}

/** Run a document the test wrote: registered as a trusted document of app `e2e` on first use, then sent by id. */
export async function gql<T>(baseURL: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResponse<T>> {
  const documentId = documentIdOf(query)
  await ensureRegistered(baseURL, query, documentId)
  return gqlById<T>(baseURL, documentId, variables, token)
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
