/** Token refresh over a bare POST: used by the auth store, outside the refreshing client. */
import { AuthRefreshDocument } from '@/graphql/generated/graphql'
import { postGraphQL } from '@/graphql/raw'

export interface Tokens {
  accessToken: string
  refreshToken?: string | null
  expiresIn: number
}

export async function refreshTokens(refreshToken: string, fetchImpl?: typeof fetch): Promise<Tokens | null> {
  const result = await postGraphQL(AuthRefreshDocument, { refreshToken }, null, fetchImpl)
  const payload = result.data?.authRefresh
  if (!payload || payload.errors.length > 0 || !payload.tokens) return null
  return payload.tokens
}
