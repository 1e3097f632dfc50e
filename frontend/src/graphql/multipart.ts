/** GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec) for file uploads. */

/** The server refuses multipart requests without it: a custom header makes the browser preflight cross-site posts. */
export const CSRF_HEADER = 'x-courtyard-csrf'

export interface Operation {
  /** The document's text, or (preferred: what owners must send) its trusted id, `documentParams()` of ./persisted. */
  query?: string
  documentId?: string
  operationName?: string | null
  variables: Record<string, unknown>
}

export interface MultipartRequest {
  body: FormData
  /** Extra headers; content-type is left to the browser, which adds the multipart boundary. */
  headers: Record<string, string>
}

const isFile = (value: unknown): value is Blob => typeof Blob !== 'undefined' && value instanceof Blob

/** A copy of `value` with every File/Blob replaced by null, and the object paths where they were. */
export function extractFiles(value: unknown, path = 'variables'): { clone: unknown; files: Map<Blob, string[]> } {
  const files = new Map<Blob, string[]>()
  const walk = (v: unknown, at: string): unknown => {
    if (isFile(v)) {
      files.set(v, [...(files.get(v) ?? []), at])
      return null
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${at}.${i}`))
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, item]) => [k, walk(item, `${at}.${k}`)]))
    }
    return v
  }
  return { clone: walk(value, path), files }
}

/** The operations, map and file parts, in the order the spec requires, plus the CSRF header. */
export function buildMultipart(operation: Operation): MultipartRequest {
  const { clone, files } = extractFiles(operation.variables)
  const body = new FormData()
  const operations: Record<string, unknown> = { variables: clone }
  if (operation.documentId) operations.documentId = operation.documentId
  else operations.query = operation.query
  if (operation.operationName) operations.operationName = operation.operationName
  body.append('operations', JSON.stringify(operations))
  const map: Record<string, string[]> = {}
  const parts: [string, Blob][] = []
  for (const [file, paths] of files) {
    const key = String(parts.length)
    map[key] = paths
    parts.push([key, file])
  }
  body.append('map', JSON.stringify(map))
  for (const [key, file] of parts) {
    if (file instanceof File) body.append(key, file, file.name)
    else body.append(key, file)
  }
  return { body, headers: { [CSRF_HEADER]: '1', accept: 'application/json' } }
}
