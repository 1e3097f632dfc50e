/**
 * The owner app's router (history base /h5/): the shell's own screens plus every src/h5/routes/*.ts module's
 * default export (RouteRecordRaw[]), so an area (homes, repairs) adds its screens without editing this file.
 * Signed-out visitors go to /login and come back to where they were going.
 */
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteLocationRaw, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from '@/h5/stores/session'
import { useAuthStore } from '@/stores/auth'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable signed out (sign-in, forgot password). */
    public?: boolean
    /** Locale key of the nav bar title. */
    title?: string
  }
}

const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./routes/*.ts', { eager: true })
export const areaRoutes: RouteRecordRaw[] = Object.values(modules).flatMap((m) => m.default)

export const shellRoutes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/auth/login.vue'), meta: { public: true } },
  { path: '/forgot-password', name: 'forgot-password', component: () => import('./views/auth/forgot.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/TabLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/home/index.vue') },
      { path: 'notifications', name: 'notifications', component: () => import('./views/notifications/index.vue') },
      { path: 'profile', name: 'profile', component: () => import('./views/profile/index.vue') },
    ],
  },
  { path: '/profile/phone', name: 'profile-phone', component: () => import('./views/profile/phone.vue') },
]

const notFound: RouteRecordRaw = { path: '/:rest(.*)*', redirect: '/' }

/** Where a navigation may go: pure, so it is easy to test. */
export function decide(to: Pick<RouteLocationNormalized, 'meta' | 'fullPath' | 'name'>, signedIn: boolean): true | RouteLocationRaw {
  if (to.meta.public) return signedIn && to.name === 'login' ? { name: 'home' } : true
  if (!signedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  return true
}

export const router = createRouter({
  history: createWebHistory('/h5/'),
  routes: [...shellRoutes, ...areaRoutes, notFound],
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  const session = useSessionStore()
  if (auth.isLoggedIn && !session.viewer) await session.load()
  // Offline with tokens kept: open the screen (the shell), which says it is offline, rather than the sign-in form.
  return decide(to, auth.isLoggedIn && (!!session.viewer || session.offline))
})
