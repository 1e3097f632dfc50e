/** A bare GraphQL POST, for the token refresh (which must not go through the refreshing fetch itself). */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import { documentParams } from './persisted'

export const GRAPHQL_URL = '/graphql'

export interface RawResult<D> {
  data?: D | null
  errors?: { message: string; extensions?: { code?: string } }[]
}

export async function postGraphQL<D, V>(
  doc: TypedDocumentNode<D, V>,
  variables: V,
  token?: string | null,
  fetchImpl: typeof fetch = fetch,
): Promise<RawResult<D>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const response = await fetchImpl(GRAPHQL_URL, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...documentParams(doc), variables }),
  })
  return (await response.json()) as RawResult<D>
}
