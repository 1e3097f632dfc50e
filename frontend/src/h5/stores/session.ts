/**
 * The signed-in owner: tokens live in the console's auth store (one sign-in serves both apps); this keeps the
 * owner's viewer (user and bindings) and the unread-message count shown on the tab bar.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { fetchViewer, type H5ViewerInfo } from '@/h5/api/auth'
import { useAuthStore } from '@/stores/auth'

export const useSessionStore = defineStore('h5-session', () => {
  const viewer = ref<H5ViewerInfo | null>(null)
  const unread = ref(0)
  /** The viewer could not be loaded for want of a network: the app shows its offline shell, tokens kept. */
  const offline = ref(false)
  const user = computed(() => viewer.value?.user ?? null)
  const bindings = computed(() => viewer.value?.bindings ?? [])
  const approvedBindings = computed(() => bindings.value.filter((b) => b.status === 'APPROVED'))

  /**
   * Load (or reload) who the caller is. A refused session is cleared, so the guard sends them to sign in; no
   * network keeps it (offline start), and the next navigation tries again.
   */
  async function load(): Promise<boolean> {
    const auth = useAuthStore()
    if (!auth.isLoggedIn) return false
    const result = await fetchViewer()
    offline.value = result.offline
    if (result.offline) return false
    viewer.value = result.viewer
    if (!result.viewer) auth.clear()
    return !!result.viewer
  }

  function patchUser(patch: Partial<H5ViewerInfo['user']>): void {
    if (viewer.value) viewer.value = { ...viewer.value, user: { ...viewer.value.user, ...patch } }
  }

  function clear(): void {
    viewer.value = null
    unread.value = 0
    offline.value = false
    useAuthStore().clear()
  }

  return { viewer, user, bindings, approvedBindings, unread, offline, load, patchUser, clear }
})
