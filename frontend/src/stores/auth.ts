/** Auth: tokens (kept in localStorage), the viewer with permissions, and a single-flight token refresh. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { refreshTokens, type Tokens } from '@/api/auth/refresh'
import type { Perm, ViewerQuery } from '@/graphql/generated/graphql'

export const ACCESS_KEY = 'courtyard.accessToken'
export const REFRESH_KEY = 'courtyard.refreshToken'

export type ViewerInfo = NonNullable<ViewerQuery['viewer']>

export const useAuthStore = defineStore('auth', () => {
  const accessToken = ref<string | null>(localStorage.getItem(ACCESS_KEY))
  const refreshToken = ref<string | null>(localStorage.getItem(REFRESH_KEY))
  const viewer = ref<ViewerInfo | null>(null)
  let pending: Promise<boolean> | null = null

  const isLoggedIn = computed(() => !!accessToken.value)
  const permissions = computed(() => new Set<Perm>(viewer.value?.permissions ?? []))
  const isPlatformAdmin = computed(() => viewer.value?.isPlatformAdmin ?? false)
  const hasCompany = computed(() => !!viewer.value?.company)

  function setTokens(tokens: Tokens): void {
    accessToken.value = tokens.accessToken
    localStorage.setItem(ACCESS_KEY, tokens.accessToken)
    // A company switch returns no refresh token: the current one stays valid.
    if (tokens.refreshToken) {
      refreshToken.value = tokens.refreshToken
      localStorage.setItem(REFRESH_KEY, tokens.refreshToken)
    }
  }

  function clear(): void {
    accessToken.value = null
    refreshToken.value = null
    viewer.value = null
    localStorage.removeItem(ACCESS_KEY)
    localStorage.removeItem(REFRESH_KEY)
  }

  function setViewer(v: ViewerInfo | null): void {
    viewer.value = v
  }

  /** True when the caller holds every one of `perms`. */
  function can(perms: Perm | readonly Perm[]): boolean {
    const list = typeof perms === 'string' ? [perms] : perms
    return list.every((p) => permissions.value.has(p))
  }

  /** Refresh once even when many requests expire together; a failure clears the session. */
  function refresh(fetchImpl?: typeof fetch): Promise<boolean> {
    if (pending) return pending
    const token = refreshToken.value
    if (!token) return Promise.resolve(false)
    pending = refreshTokens(token, fetchImpl)
      .then((tokens) => {
        if (!tokens) {
          clear()
          return false
        }
        setTokens(tokens)
        return true
      })
      .catch(() => {
        clear()
        return false
      })
      .finally(() => {
        pending = null
      })
    return pending
  }

  return { accessToken, refreshToken, viewer, isLoggedIn, permissions, isPlatformAdmin, hasCompany, setTokens, clear, setViewer, can, refresh }
})
