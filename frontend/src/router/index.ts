/** The router: loads the viewer once per session, then applies the guard to every navigation. */
import { createRouter, createWebHistory } from 'vue-router'
import { fetchViewer } from '@/api/auth'
import { useAuthStore } from '@/stores/auth'
import { decide, OWNER_APP } from './guard'
import { routes } from './routes'

export const router = createRouter({ history: createWebHistory(), routes })

/** Load (or reload, after a company switch) who the caller is. */
export async function loadViewer(): Promise<void> {
  const auth = useAuthStore()
  const viewer = await fetchViewer()
  if (viewer) auth.setViewer(viewer)
  else auth.clear()
}

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  if (auth.isLoggedIn && !auth.viewer) await loadViewer()
  const verdict = decide(to, {
    loggedIn: auth.isLoggedIn && !!auth.viewer,
    isPlatformAdmin: auth.isPlatformAdmin,
    hasCompany: auth.hasCompany,
    permissions: auth.permissions,
  })
  if (verdict === OWNER_APP) {
    // Another app (its own page and bundle): leave the console. The tokens in localStorage sign the owner in there.
    window.location.assign(OWNER_APP)
    return false
  }
  return verdict
})
