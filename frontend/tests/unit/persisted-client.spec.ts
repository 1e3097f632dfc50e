/** The shared urql client and the bare requests send operations by their trusted id, never as text. */
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import manifest from '@/graphql/generated/persisted-documents.json'
import { AuthRefreshDocument, AuthLogoutDocument, ViewerDocument } from '@/graphql/generated/graphql'
import { getClient } from '@/graphql/client'
import { buildMultipart } from '@/graphql/multipart'
import { apolloHash, documentId, documentParams } from '@/graphql/persisted'
import { postGraphQL } from '@/graphql/raw'

const shipped = manifest as Record<string, string>
const bodies: Record<string, unknown>[] = []

beforeEach(() => {
  setActivePinia(createPinia())
  bodies.length = 0
  vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
    bodies.push(JSON.parse(init.body as string) as Record<string, unknown>)
    return new Response(JSON.stringify({ data: { viewer: null } }), { headers: { 'content-type': 'application/json' } })
  })
})
afterEach(() => vi.unstubAllGlobals())

describe('trusted ids', () => {
  it('are the manifest keys of the generated documents', () => {
    const id = documentId(ViewerDocument)
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(shipped[id!]).toContain('query Viewer')
    expect(apolloHash(ViewerDocument)).toBe(id!.slice('sha256:'.length))
    expect(documentParams(ViewerDocument)).toEqual({ documentId: id })
  })

  it('a document codegen did not make goes as text', () => {
    const doc = { kind: 'Document', definitions: [] } as unknown as typeof ViewerDocument
    expect(documentId(doc)).toBeNull()
    expect(documentParams(doc)).toHaveProperty('query')
  })

  it('the client sends queries and mutations as a POST with the persisted-query extension and no text', async () => {
    await getClient().query(ViewerDocument, {}).toPromise()
    await getClient().mutation(AuthLogoutDocument, {}).toPromise()
    expect(bodies).toHaveLength(2)
    for (const [body, doc] of [[bodies[0], ViewerDocument], [bodies[1], AuthLogoutDocument]] as const) {
      expect(body.query).toBeUndefined()
      expect(body.extensions).toEqual({ persistedQuery: { version: 1, sha256Hash: apolloHash(doc) } })
      expect(shipped[`sha256:${(body.extensions as { persistedQuery: { sha256Hash: string } }).persistedQuery.sha256Hash}`]).toBeTruthy()
    }
    expect(bodies[0].operationName).toBe('Viewer')
  })

  it('the token refresh and uploads name their document by id', async () => {
    await postGraphQL(AuthRefreshDocument, { refreshToken: 'r' })
    expect(bodies[0]).toEqual({ documentId: documentId(AuthRefreshDocument), variables: { refreshToken: 'r' } })
    const { body } = buildMultipart({ ...documentParams(ViewerDocument), variables: { file: new File(['x'], 'a.png') } })
    const operations = JSON.parse(body.get('operations') as string) as Record<string, unknown>
    expect(operations).toEqual({ documentId: documentId(ViewerDocument), variables: { file: null } })
  })
})
