/** File downloads from the REST side of the API (templates, exports): bearer token, refresh, errors as toasts. */
import { t, te } from '@/locales'
import { authFetch } from './client'
import { SESSION_ENDED, translateCode } from './errors'
import { toast } from './request'

export type QueryParams = Record<string, string | number | boolean | null | undefined>

export interface DownloadResult {
  ok: boolean
  /** Rows in the file, when the server says (exports do). */
  rows: number | null
  /** The server stopped at its export limit. */
  truncated: boolean
}

/** `path?k=v` with empty values left out, so an unset filter means "all", as in the GraphQL lists. */
export function withQuery(path: string, params: QueryParams = {}): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue
    query.set(key, String(value))
  }
  const text = query.toString()
  return text ? `${path}?${text}` : path
}

/** The name from Content-Disposition (filename*=UTF-8'' wins over filename=), else the fallback. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  if (star) return decodeURIComponent(star[1])
  const plain = /filename="?([^";]+)"?/i.exec(disposition)
  return plain ? plain[1] : fallback
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Revoke later: some browsers start reading the blob only after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

async function refusal(response: Response): Promise<{ code: string; message?: string }> {
  try {
    const body = (await response.json()) as { errors?: { message?: string; extensions?: { code?: string } }[] }
    const first = body.errors?.[0]
    if (first?.extensions?.code) return { code: first.extensions.code, message: first.message }
  } catch {
    // Not JSON (a proxy's error page): fall back to the status.
  }
  return { code: response.status === 404 ? 'NOT_FOUND' : response.status === 403 ? 'FORBIDDEN' : 'UNKNOWN' }
}

/** GET a file with the caller's token and hand it to the browser as a download. */
export async function download(path: string, params: QueryParams, fallbackName: string): Promise<DownloadResult> {
  const failed: DownloadResult = { ok: false, rows: null, truncated: false }
  let response: Response
  try {
    response = await authFetch()(withQuery(path, params), { method: 'GET' })
  } catch {
    toast(t('errors.NETWORK'))
    return failed
  }
  if (!response.ok) {
    const { code, message } = await refusal(response)
    toast(SESSION_ENDED.has(code) ? t('errors.SESSION_ENDED') : translateCode(code, message, t, te))
    return failed
  }
  save(await response.blob(), fileNameOf(response.headers.get('content-disposition'), fallbackName))
  const rows = response.headers.get('x-courtyard-rows')
  return { ok: true, rows: rows === null ? null : Number(rows), truncated: response.headers.get('x-courtyard-truncated') === '1' }
}
