/**
 * The owner app's request layer: typed query / mutate / subscribe over the shared urql client, and uploads over XHR
 * (fetch cannot report upload progress). Failures reach the person as one translated Vant toast, so screens need no
 * try/catch; mutations hand back per-field messages for the fields a form shows.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import type { AnyVariables, CombinedError } from '@urql/vue'
import { getOperationAST } from 'graphql'
import { showFailToast } from 'vant'
import { getClient, onSessionEnded } from '@/graphql/client'
import { normaliseOperationError, normalisePayloadErrors, SESSION_ENDED, translateCode, type PayloadError } from '@/graphql/errors'
import { H5FileUploadDocument, type H5FileUploadMutation, type UploadPurpose } from '@/graphql/generated/graphql'
import { buildMultipart } from '@/graphql/multipart'
import { documentParams } from '@/graphql/persisted'
import { GRAPHQL_URL } from '@/graphql/raw'
import { foldedToast, type MutateOptions, type MutationResult } from '@/graphql/results'
import { useAuthStore } from '@/stores/auth'
import { t, te } from '@/h5/locales'

export type { UploadPurpose }
export type { FieldErrors, MutateOptions, MutationResult } from '@/graphql/results'
export type UploadResult = { ok: true; id: string } | { ok: false; codes: string[] }

/** One failure toast; the same text again within 1.5 s is folded. */
export const toast = foldedToast((text) => showFailToast({ message: text, duration: 3000 }))

let sessionEnded: (code: string) => void = () => undefined

/** What happens when the session cannot go on (back to the login page): for urql's fetch and for uploads alike. */
export function onH5SessionEnded(handler: (code: string) => void): void {
  sessionEnded = handler
  onSessionEnded(handler)
}

function codeText(code: string, message?: string): string {
  return SESSION_ENDED.has(code) ? t('errors.SESSION_ENDED') : translateCode(code, code === 'NETWORK' ? undefined : message, t, te)
}

function report(error: CombinedError): string {
  const { code, toast: text } = normaliseOperationError(error, t, te)
  toast(SESSION_ENDED.has(code) ? t('errors.SESSION_ENDED') : text)
  return code
}

export async function query<D, V extends AnyVariables>(doc: TypedDocumentNode<D, V>, variables: V): Promise<D | null> {
  const result = await queryOrCode(doc, variables)
  return 'data' in result ? result.data : null
}

/** Like query, but a failure comes back as its code too (NETWORK: offline, keep the session; TOKEN_*: it ended). */
export async function queryOrCode<D, V extends AnyVariables>(doc: TypedDocumentNode<D, V>, variables: V): Promise<{ data: D | null } | { code: string }> {
  const result = await getClient().query(doc, variables).toPromise()
  if (result.error) return { code: report(result.error) }
  return { data: result.data ?? null }
}

export async function mutate<D, V extends AnyVariables, P extends { errors: readonly PayloadError[] }>(
  doc: TypedDocumentNode<D, V>,
  variables: V,
  pick: (data: D) => P,
  options: MutateOptions = {},
): Promise<MutationResult<P>> {
  const result = await getClient().mutation(doc, variables).toPromise()
  if (result.error) return { ok: false, fields: {}, codes: [report(result.error)] }
  if (!result.data) {
    toast(t('errors.UNKNOWN'))
    return { ok: false, fields: {}, codes: ['UNKNOWN'] }
  }
  const payload = pick(result.data)
  if (payload.errors.length === 0) return { ok: true, payload }
  const normalised = normalisePayloadErrors(payload.errors, t, te, options.formFields ?? [], options.codeKeys)
  if (normalised.toast) toast(normalised.toast)
  return { ok: false, fields: normalised.fields, codes: normalised.codes }
}

/**
 * Listen to a subscription while the screen is open; returns the function that stops it. Pub/sub can drop
 * messages, so callers refetch current state when they subscribe.
 */
export function subscribe<D, V extends AnyVariables>(doc: TypedDocumentNode<D, V>, variables: V, onData: (data: D) => void): () => void {
  const { unsubscribe } = getClient()
    .subscription(doc, variables)
    .subscribe((result) => {
      if (result.data) onData(result.data)
    })
  return unsubscribe
}

/** Codes for refusals that come before GraphQL, from a proxy or server limit with no JSON body. */
const STATUS_CODES: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 413: 'FILE_TOO_LARGE' }

interface Answer {
  status: number
  body: { data?: H5FileUploadMutation | null; errors?: { message: string; extensions?: { code?: string } }[] } | null
}

type Send = (body: FormData, headers: Record<string, string>, onProgress?: (fraction: number) => void) => Promise<Answer>

/** One multipart POST over XHR, reporting the fraction of the body sent. Rejects only when the network fails. */
const xhrSend: Send = (body, headers, onProgress) =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', GRAPHQL_URL)
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value)
    if (onProgress) {
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(Math.min(1, e.loaded / e.total))
      }
    }
    xhr.onload = () => {
      let parsed: Answer['body'] = null
      try {
        parsed = JSON.parse(xhr.responseText) as Answer['body']
      } catch {
        parsed = null
      }
      resolve({ status: xhr.status, body: parsed })
    }
    xhr.onerror = () => reject(new Error('network'))
    xhr.onabort = () => reject(new Error('aborted'))
    xhr.send(body)
  })

let send: Send = xhrSend

/** Tests replace the XHR transport. */
export function setUploadTransport(transport: Send | null): void {
  send = transport ?? xhrSend
}

const ENDING = new Set(['TOKEN_INVALID', 'TOKEN_REUSED', 'TOKEN_REVOKED', 'UNAUTHENTICATED'])

function uploadFailed(code: string, message?: string): UploadResult {
  toast(codeText(code, message))
  return { ok: false, codes: [code] }
}

/**
 * Upload one file (a GraphQL multipart request with the bearer token and the CSRF header the server requires),
 * reporting progress from 0 to 1. An expired token is refreshed once and the upload sent again.
 */
export async function upload(
  file: Blob,
  filename: string,
  purpose: UploadPurpose,
  onProgress?: (fraction: number) => void,
): Promise<UploadResult> {
  const auth = useAuthStore()
  const named = file instanceof File && file.name === filename ? file : new File([file], filename, { type: file.type })
  const attempt = async (): Promise<Answer> => {
    // By its trusted id (the server may run nothing else for owners), like every other request.
    const { body, headers } = buildMultipart({
      ...documentParams(H5FileUploadDocument),
      operationName: getOperationAST(H5FileUploadDocument)?.name?.value,
      variables: { file: named, purpose },
    })
    const token = auth.accessToken
    return send(body, token ? { ...headers, authorization: `Bearer ${token}` } : headers, onProgress)
  }
  const codesOf = (a: Answer) => (a.body?.errors ?? []).map((e) => e.extensions?.code).filter((c): c is string => !!c)
  let answer: Answer
  try {
    answer = await attempt()
    if (auth.accessToken && codesOf(answer).includes('TOKEN_EXPIRED')) {
      if (!(await auth.refresh())) {
        sessionEnded('TOKEN_EXPIRED')
        return uploadFailed('TOKEN_EXPIRED')
      }
      onProgress?.(0)
      answer = await attempt()
    }
  } catch {
    return uploadFailed('NETWORK')
  }
  if (!answer.body) return uploadFailed(STATUS_CODES[answer.status] ?? (answer.status < 300 ? 'UNKNOWN' : 'INTERNAL'))
  const first = answer.body.errors?.[0]
  if (first) {
    const code = first.extensions?.code ?? 'UNKNOWN'
    if (ENDING.has(code) || code === 'TOKEN_EXPIRED') sessionEnded(code)
    return uploadFailed(code, first.message)
  }
  const payload = answer.body.data?.fileUpload
  if (!payload) return uploadFailed('UNKNOWN')
  if (payload.file && payload.errors.length === 0) {
    onProgress?.(1)
    return { ok: true, id: payload.file.id }
  }
  const normalised = normalisePayloadErrors(payload.errors, t, te)
  toast(normalised.toast || t('errors.UNKNOWN'))
  return { ok: false, codes: normalised.codes.length ? normalised.codes : ['UNKNOWN'] }
}
