/** Where a navigation may go, given the signed-in caller: pure, so it is easy to test. */
import type { RouteLocationNormalized, RouteLocationRaw } from 'vue-router'
import { routeAllowed } from '@/directives/perms'

export interface Caller {
  loggedIn: boolean
  isPlatformAdmin: boolean
  hasCompany: boolean
  permissions: ReadonlySet<string>
}

/** The owner app, a page of its own (not a console route): reached by a full page load. */
export const OWNER_APP = '/h5/'

/** Signed in with neither a company nor the platform: a resident, whose place is the owner app, not a 403. */
export function isOwnerOnly(caller: Caller): boolean {
  return caller.loggedIn && !caller.hasCompany && !caller.isPlatformAdmin
}

export function decide(to: Pick<RouteLocationNormalized, 'meta' | 'fullPath' | 'name'>, caller: Caller): true | RouteLocationRaw {
  if (to.meta.public) {
    return to.name === 'login' && caller.loggedIn ? homeOf(caller) : true
  }
  if (!caller.loggedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (isOwnerOnly(caller)) return OWNER_APP
  if (to.meta.console === 'platform' && !caller.isPlatformAdmin) return caller.hasCompany ? '/' : { name: 'forbidden' }
  if (to.meta.console === 'property' && !caller.hasCompany) return caller.isPlatformAdmin ? '/platform' : { name: 'forbidden' }
  if (!routeAllowed(to.meta, caller.permissions)) return { name: 'forbidden' }
  return true
}

export function homeOf(caller: Caller): RouteLocationRaw {
  if (caller.hasCompany) return '/'
  if (caller.isPlatformAdmin) return '/platform'
  return caller.loggedIn ? OWNER_APP : { name: 'forbidden' }
}
