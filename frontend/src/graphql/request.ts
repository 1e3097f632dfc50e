/** Typed query / mutate / subscribe helpers used by src/api: they report failures, so pages need no try/catch. */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import type { AnyVariables, CombinedError } from '@urql/vue'
import { ElMessage } from 'element-plus'
import { t, te } from '@/locales'
import { getOperationAST } from 'graphql'
import { authFetch, getClient } from './client'
import { normaliseOperationError, normalisePayloadErrors, SESSION_ENDED, translateCode, type PayloadError } from './errors'
import { buildMultipart } from './multipart'
import { documentParams } from './persisted'
import { GRAPHQL_URL, type RawResult } from './raw'
import { foldedToast, type FieldErrors, type MutateOptions, type MutationResult } from './results'

export type { FieldErrors, MutateOptions, MutationResult } from './results'

export const toast = foldedToast((text) => ElMessage({ type: 'error', message: text, grouping: true, duration: 4000 }))

function report(error: CombinedError): string {
  const { code, toast: text } = normaliseOperationError(error, t, te)
  toast(SESSION_ENDED.has(code) ? t('errors.SESSION_ENDED') : text)
  return code
}

export async function query<D, V extends AnyVariables>(doc: TypedDocumentNode<D, V>, variables: V): Promise<D | null> {
  const result = await getClient().query(doc, variables).toPromise()
  if (result.error) {
    report(result.error)
    return null
  }
  return result.data ?? null
}

export async function mutate<D, V extends AnyVariables, P extends { errors: readonly PayloadError[] }>(
  doc: TypedDocumentNode<D, V>,
  variables: V,
  pick: (data: D) => P,
  options: MutateOptions = {},
): Promise<MutationResult<P>> {
  const result = await getClient().mutation(doc, variables).toPromise()
  if (result.error || !result.data) {
    const code = result.error ? report(result.error) : 'UNKNOWN'
    if (!result.error) toast(t('errors.UNKNOWN'))
    return { ok: false, fields: {}, codes: [code] }
  }
  return settle(pick(result.data), options)
}

function settle<P extends { errors: readonly PayloadError[] }>(payload: P, options: MutateOptions): MutationResult<P> {
  if (payload.errors.length === 0) return { ok: true, payload }
  const normalised = normalisePayloadErrors(payload.errors, t, te, options.formFields ?? [], options.codeKeys)
  if (normalised.toast) toast(normalised.toast)
  return { ok: false, fields: normalised.fields, codes: normalised.codes }
}

function failed(code: string, message?: string): { ok: false; fields: FieldErrors; codes: string[] } {
  toast(SESSION_ENDED.has(code) ? t('errors.SESSION_ENDED') : translateCode(code, message, t, te))
  return { ok: false, fields: {}, codes: [code] }
}

/** Codes for refusals that come before GraphQL, from a proxy or server limit with no JSON body. */
const STATUS_CODES: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 413: 'FILE_TOO_LARGE' }

/** A mutation with File variables, sent as a GraphQL multipart request through the refreshing fetch. */
export async function upload<D, V extends Record<string, unknown>, P extends { errors: readonly PayloadError[] }>(
  doc: TypedDocumentNode<D, V>,
  variables: V,
  pick: (data: D) => P,
  options: MutateOptions = {},
): Promise<MutationResult<P>> {
  const { body, headers } = buildMultipart({ ...documentParams(doc), operationName: getOperationAST(doc)?.name?.value, variables })
  let response: Response
  try {
    response = await authFetch()(GRAPHQL_URL, { method: 'POST', headers, body })
  } catch {
    return failed('NETWORK')
  }
  let result: RawResult<D>
  try {
    result = (await response.json()) as RawResult<D>
  } catch {
    return failed(STATUS_CODES[response.status] ?? (response.ok ? 'UNKNOWN' : 'INTERNAL'))
  }
  const first = result.errors?.[0]
  if (first) return failed(first.extensions?.code ?? 'UNKNOWN', first.message)
  if (!result.data) return failed('UNKNOWN')
  return settle(pick(result.data), options)
}

/** Listen to a subscription; returns the function that stops it. onError hears a failed socket or a refusal. */
export function subscribe<D, V extends AnyVariables>(
  doc: TypedDocumentNode<D, V>,
  variables: V,
  onData: (data: D) => void,
  onError?: (code: string) => void,
): () => void {
  const { unsubscribe } = getClient()
    .subscription(doc, variables)
    .subscribe((result) => {
      if (result.data) onData(result.data)
      else if (result.error) onError?.(normaliseOperationError(result.error, t, te).code)
    })
  return unsubscribe
}
