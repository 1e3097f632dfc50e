import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ACCESS_KEY, REFRESH_KEY, useAuthStore } from '@/stores/auth'
import manifest from '@/graphql/generated/persisted-documents.json'

const shipped = manifest as Record<string, string>

function jsonResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
}

describe('auth store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('keeps tokens in localStorage and reads them back', () => {
    const auth = useAuthStore()
    auth.setTokens({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 900 })
    expect(localStorage.getItem(ACCESS_KEY)).toBe('a1')
    expect(localStorage.getItem(REFRESH_KEY)).toBe('r1')
    setActivePinia(createPinia())
    expect(useAuthStore().accessToken).toBe('a1')
    expect(useAuthStore().isLoggedIn).toBe(true)
  })

  it('keeps the refresh token when a company switch returns none', () => {
    const auth = useAuthStore()
    auth.setTokens({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 900 })
    auth.setTokens({ accessToken: 'a2', refreshToken: null, expiresIn: 900 })
    expect(auth.accessToken).toBe('a2')
    expect(auth.refreshToken).toBe('r1')
  })

  it('clear() forgets everything', () => {
    const auth = useAuthStore()
    auth.setTokens({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 900 })
    auth.clear()
    expect(auth.isLoggedIn).toBe(false)
    expect(localStorage.getItem(ACCESS_KEY)).toBeNull()
    expect(localStorage.getItem(REFRESH_KEY)).toBeNull()
  })

  it('refreshes with the stored refresh token, once for concurrent callers', async () => {
    const auth = useAuthStore()
    auth.setTokens({ accessToken: 'old', refreshToken: 'r1', expiresIn: 900 })
    const fetchMock = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { documentId: string; variables: { refreshToken: string } }
      expect(shipped[body.documentId]).toContain('authRefresh') // by its trusted id
      expect(body.variables.refreshToken).toBe('r1')
      return jsonResponse({ data: { authRefresh: { tokens: { accessToken: 'new', refreshToken: 'r2', expiresIn: 900 }, errors: [] } } })
    })
    const [a, b] = await Promise.all([auth.refresh(fetchMock), auth.refresh(fetchMock)])
    expect(a && b).toBe(true)
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(auth.accessToken).toBe('new')
    expect(localStorage.getItem(REFRESH_KEY)).toBe('r2')
  })

  it('a refused refresh clears the session', async () => {
    const auth = useAuthStore()
    auth.setTokens({ accessToken: 'old', refreshToken: 'r1', expiresIn: 900 })
    const fetchMock = vi.fn(async () =>
      jsonResponse({ data: { authRefresh: { tokens: null, errors: [{ field: null, message: 'reused', code: 'TOKEN_REUSED' }] } } }))
    expect(await auth.refresh(fetchMock)).toBe(false)
    expect(auth.isLoggedIn).toBe(false)
    expect(auth.refreshToken).toBeNull()
  })

  it('without a refresh token there is nothing to refresh', async () => {
    const fetchMock = vi.fn()
    expect(await useAuthStore().refresh(fetchMock)).toBe(false)
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('can() needs every permission', () => {
    const auth = useAuthStore()
    auth.setViewer({
      user: { id: 'u', name: 'n', phone: 'p' }, isPlatformAdmin: false, permissions: ['UNIT_READ', 'OWNER_READ'],
      company: null, memberships: [], roles: [], communities: [],
    })
    expect(auth.can('UNIT_READ')).toBe(true)
    expect(auth.can(['UNIT_READ', 'UNIT_WRITE'])).toBe(false)
  })
})
