/** The fetch urql uses: adds the bearer token, refreshes once on TOKEN_EXPIRED and retries, ends the session otherwise. */
export interface AuthFetchDeps {
  getToken: () => string | null
  /** Trade the stored refresh token for new tokens; true when it worked. */
  refresh: () => Promise<boolean>
  onSessionEnded: (code: string) => void
  fetchImpl?: typeof fetch
}

const ENDING = new Set(['TOKEN_INVALID', 'TOKEN_REUSED', 'TOKEN_REVOKED', 'UNAUTHENTICATED'])

async function errorCodes(response: Response): Promise<string[]> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return []
  try {
    const body = (await response.clone().json()) as { errors?: { extensions?: { code?: unknown } }[] }
    return (body.errors ?? []).map((e) => e.extensions?.code).filter((c): c is string => typeof c === 'string')
  } catch {
    return []
  }
}

function withToken(init: RequestInit | undefined, token: string | null): RequestInit {
  const headers = new Headers(init?.headers)
  if (token) headers.set('authorization', `Bearer ${token}`)
  else headers.delete('authorization')
  return { ...init, headers }
}

export function createAuthFetch(deps: AuthFetchDeps): typeof fetch {
  const doFetch = (input: RequestInfo | URL, init?: RequestInit) => (deps.fetchImpl ?? fetch)(input, init)
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const token = deps.getToken()
    const response = await doFetch(input, withToken(init, token))
    if (!token) return response
    const codes = await errorCodes(response)
    if (codes.includes('TOKEN_EXPIRED')) {
      if (await deps.refresh()) {
        const retried = await doFetch(input, withToken(init, deps.getToken()))
        const again = await errorCodes(retried)
        const ended = again.find((c) => c === 'TOKEN_EXPIRED' || ENDING.has(c))
        if (ended) deps.onSessionEnded(ended)
        return retried
      }
      deps.onSessionEnded('TOKEN_EXPIRED')
      return response
    }
    const ended = codes.find((c) => ENDING.has(c))
    if (ended) deps.onSessionEnded(ended)
    return response
  }
}
