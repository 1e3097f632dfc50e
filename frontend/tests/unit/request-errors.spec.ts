import { describe, expect, it, vi } from 'vitest'
import { CombinedError } from '@urql/vue'
import { GraphQLError } from 'graphql'
import { normaliseOperationError, normalisePayloadErrors, translateCode } from '@/graphql/errors'
import { createAuthFetch } from '@/graphql/fetch'

const dict: Record<string, string> = {
  'errors.INVALID_CREDENTIALS': '手机号或密码错误',
  'errors.RATE_LIMITED': '操作太频繁',
  'errors.NETWORK': '无法连接服务器',
  'errors.UNKNOWN': '操作失败',
  'errors.FORBIDDEN': '没有权限',
}
const t = (k: string) => dict[k] ?? k
const te = (k: string) => k in dict

describe('error normalisation', () => {
  it('translates codes through the locale, else keeps the server text, else a generic text', () => {
    expect(translateCode('INVALID_CREDENTIALS', 'Wrong', t, te)).toBe('手机号或密码错误')
    expect(translateCode('SOMETHING_NEW', 'Server says', t, te)).toBe('Server says')
    expect(translateCode(null, undefined, t, te)).toBe('操作失败')
  })

  it('puts errors with a known field on that field and the rest in one toast', () => {
    const result = normalisePayloadErrors(
      [
        { field: 'password', message: 'x', code: 'INVALID_CREDENTIALS' },
        { field: null, message: 'y', code: 'RATE_LIMITED' },
        { field: 'input.secret', message: 'z', code: 'FORBIDDEN' },
      ],
      t, te, ['phone', 'password'],
    )
    expect(result.fields).toEqual({ password: '手机号或密码错误' })
    expect(result.toast).toBe('操作太频繁；没有权限')
    expect(result.codes).toEqual(['INVALID_CREDENTIALS', 'RATE_LIMITED', 'FORBIDDEN'])
  })

  it('uses the last segment of a dotted field path', () => {
    expect(normalisePayloadErrors([{ field: 'input.name', message: 'm', code: 'REQUIRED' }], t, te, ['name']).fields).toEqual({ name: 'm' })
  })

  it('reads extensions.code of top-level errors and maps network failures', () => {
    const gql = new CombinedError({ graphQLErrors: [new GraphQLError('No', { extensions: { code: 'FORBIDDEN' } })] })
    expect(normaliseOperationError(gql, t, te)).toEqual({ code: 'FORBIDDEN', toast: '没有权限' })
    const net = new CombinedError({ networkError: new Error('Failed to fetch') })
    expect(normaliseOperationError(net, t, te)).toEqual({ code: 'NETWORK', toast: '无法连接服务器' })
  })
})

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
}
const expired = { data: { viewer: null }, errors: [{ message: 'expired', extensions: { code: 'TOKEN_EXPIRED' } }] }
const ok = { data: { viewer: { user: { name: 'a' } } } }

describe('auth fetch', () => {
  it('adds the bearer token', async () => {
    const fetchImpl = vi.fn(async () => json(ok))
    const f = createAuthFetch({ getToken: () => 'tok', refresh: vi.fn(), onSessionEnded: vi.fn(), fetchImpl })
    await f('/graphql', { method: 'POST', body: '{}' })
    const init = fetchImpl.mock.calls[0] as unknown as [string, RequestInit]
    expect(new Headers(init[1].headers).get('authorization')).toBe('Bearer tok')
  })

  it('on TOKEN_EXPIRED refreshes once and retries with the new token', async () => {
    let token = 'old'
    const fetchImpl = vi.fn().mockResolvedValueOnce(json(expired)).mockResolvedValueOnce(json(ok))
    const refresh = vi.fn(async () => {
      token = 'new'
      return true
    })
    const ended = vi.fn()
    const f = createAuthFetch({ getToken: () => token, refresh, onSessionEnded: ended, fetchImpl })
    const response = await f('/graphql', { method: 'POST', body: '{}' })
    expect(await response.json()).toEqual(ok)
    expect(refresh).toHaveBeenCalledTimes(1)
    const second = fetchImpl.mock.calls[1] as unknown as [string, RequestInit]
    expect(new Headers(second[1].headers).get('authorization')).toBe('Bearer new')
    expect(ended).not.toHaveBeenCalled()
  })

  it('ends the session when the refresh fails', async () => {
    const fetchImpl = vi.fn(async () => json(expired))
    const ended = vi.fn()
    const f = createAuthFetch({ getToken: () => 'old', refresh: async () => false, onSessionEnded: ended, fetchImpl })
    await f('/graphql', { method: 'POST', body: '{}' })
    expect(fetchImpl).toHaveBeenCalledTimes(1)
    expect(ended).toHaveBeenCalledWith('TOKEN_EXPIRED')
  })

  it('does not loop when the retried request expires again', async () => {
    const fetchImpl = vi.fn(async () => json(expired))
    const refresh = vi.fn(async () => true)
    const ended = vi.fn()
    const f = createAuthFetch({ getToken: () => 'x', refresh, onSessionEnded: ended, fetchImpl })
    await f('/graphql', {})
    expect(fetchImpl).toHaveBeenCalledTimes(2)
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(ended).toHaveBeenCalledTimes(1)
  })

  it('ends the session on a revoked token without refreshing', async () => {
    const fetchImpl = vi.fn(async () => json({ errors: [{ message: 'r', extensions: { code: 'TOKEN_REVOKED' } }] }))
    const refresh = vi.fn()
    const ended = vi.fn()
    await createAuthFetch({ getToken: () => 'x', refresh, onSessionEnded: ended, fetchImpl })('/graphql', {})
    expect(refresh).not.toHaveBeenCalled()
    expect(ended).toHaveBeenCalledWith('TOKEN_REVOKED')
  })
})
