/**
 * Operations are sent by id: codegen (codegen.ts, `persistedDocuments`) puts each document's id on it as
 * `__meta__.hash` and writes every id with its text to generated/persisted-documents.json, which the server trusts
 * (backend/core/trusted.py). Under TRUSTED_DOCUMENTS=owners the server runs nothing else for owners and visitors.
 */
import { print, type DocumentNode } from 'graphql'

const PREFIX = 'sha256:'

/** The document's id ("sha256:<hex>"), or null for a document codegen did not make. */
export function documentId(doc: DocumentNode): string | null {
  const hash = (doc as { __meta__?: { hash?: unknown } }).__meta__?.hash
  return typeof hash === 'string' && hash.startsWith(PREFIX) ? hash : null
}

/** Apollo's `persistedQuery.sha256Hash` (the id's hex), what @urql/exchange-persisted sends; null without an id. */
export function apolloHash(doc: DocumentNode): string | null {
  return documentId(doc)?.slice(PREFIX.length) ?? null
}

/** How a bare request names its document: `documentId` (GraphQL over HTTP), or the text when it has no id. */
export function documentParams(doc: DocumentNode): { documentId: string } | { query: string } {
  const id = documentId(doc)
  return id ? { documentId: id } : { query: print(doc) }
}
