/** Error normalisation: payload errors become per-field messages, everything else one translated toast text. */
import type { CombinedError } from '@urql/vue'

export interface PayloadError {
  field?: string | null
  message: string
  code: string
}

export type Translate = (key: string) => string
export type HasKey = (key: string) => boolean

export interface NormalisedPayloadErrors {
  /** Messages keyed by form field (last segment of the API's field path). */
  fields: Record<string, string>
  /** Errors with no field (or a field the form does not show), joined for one toast; empty when none. */
  toast: string
  codes: string[]
}

/** Translate an API error code through `errors.<CODE>`, falling back to the server's text, then a generic one. */
export function translateCode(code: string | undefined | null, fallback: string | undefined, t: Translate, te: HasKey): string {
  if (code && te(`errors.${code}`)) return t(`errors.${code}`)
  if (fallback) return fallback
  return t('errors.UNKNOWN')
}

export function fieldName(field: string): string {
  const parts = field.split('.')
  return parts[parts.length - 1]
}

/**
 * Split payload errors between the form fields the screen shows (`formFields`; none when omitted) and one toast
 * text for the rest, so that no error is left without a place to appear. `codeKeys` names, per code, a locale key
 * more precise for this action than `errors.<CODE>`.
 */
export function normalisePayloadErrors(
  errors: readonly PayloadError[],
  t: Translate,
  te: HasKey,
  formFields: readonly string[] = [],
  codeKeys: Readonly<Record<string, string>> = {},
): NormalisedPayloadErrors {
  const fields: Record<string, string> = {}
  const toast: string[] = []
  for (const e of errors) {
    const key = codeKeys[e.code]
    const text = key && te(key) ? t(key) : translateCode(e.code, e.message, t, te)
    const name = e.field ? fieldName(e.field) : null
    if (name && formFields.includes(name)) {
      fields[name] = fields[name] ?? text
    } else if (!toast.includes(text)) {
      toast.push(text)
    }
  }
  return { fields, toast: toast.join('；'), codes: errors.map((e) => e.code) }
}

/** The code of a transport or top-level GraphQL error: extensions.code, NETWORK, or UNKNOWN. */
export function operationErrorCode(error: CombinedError): string {
  for (const g of error.graphQLErrors) {
    const code = g.extensions?.code
    if (typeof code === 'string') return code
  }
  return error.networkError ? 'NETWORK' : 'UNKNOWN'
}

export function normaliseOperationError(error: CombinedError, t: Translate, te: HasKey): { code: string; toast: string } {
  const code = operationErrorCode(error)
  const first = error.graphQLErrors[0]?.message
  return { code, toast: translateCode(code, code === 'NETWORK' ? undefined : first, t, te) }
}

/** Codes that mean the session is over: the user has to sign in again. */
export const SESSION_ENDED = new Set(['UNAUTHENTICATED', 'TOKEN_INVALID', 'TOKEN_REUSED', 'TOKEN_REVOKED', 'TOKEN_EXPIRED'])
