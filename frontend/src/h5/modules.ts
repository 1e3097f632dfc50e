/**
 * The home page's module tiles. A tile shows only when its route exists in this build (an area that is not there
 * yet, or was left out, has no dead tile).
 */
import type { Router } from 'vue-router'

export interface Module {
  /** Locale key of the tile's label. */
  label: string
  /** Vant icon name. */
  icon: string
  /** Where it goes. */
  to: string
  color: string
}

export const MODULES: readonly Module[] = [
  { label: 'home.modules.repairs', icon: 'setting-o', to: '/repairs', color: '#ff976a' },
  { label: 'home.modules.homes', icon: 'wap-home-o', to: '/homes', color: '#1989fa' },
  { label: 'home.modules.notifications', icon: 'bell', to: '/notifications', color: '#07c160' },
]

/** The modules whose screen this build has: a path that only the catch-all would match is left out. */
export function availableModules(router: Pick<Router, 'resolve'>, modules: readonly Module[] = MODULES): Module[] {
  return modules.filter((m) => {
    const matched = router.resolve(m.to).matched
    return matched.length > 0 && !matched.some((r) => r.path === '/:rest(.*)*')
  })
}
