/**
 * v-perms="'UNIT_WRITE'" or v-perms="['STAFF_WRITE', ...]": the element is removed unless the caller holds them all;
 * v-perms.any="[...]" keeps it when the caller holds at least one.
 */
import type { Directive } from 'vue'
import type { Perm } from '@/graphql/generated/graphql'
import { useAuthStore } from '@/stores/auth'

export type PermsValue = Perm | readonly Perm[] | null | undefined

export function allowed(value: PermsValue, held: ReadonlySet<string>): boolean {
  if (!value) return true
  const list = typeof value === 'string' ? [value] : value
  return list.every((p) => held.has(p))
}

export function allowedAny(value: PermsValue, held: ReadonlySet<string>): boolean {
  if (!value) return true
  const list = typeof value === 'string' ? [value] : value
  return list.length === 0 || list.some((p) => held.has(p))
}

/** A route's requirements: every one of meta.perms and, if given, at least one of meta.anyPerms. */
export function routeAllowed(meta: { perms?: PermsValue; anyPerms?: PermsValue } | undefined, held: ReadonlySet<string>): boolean {
  return allowed(meta?.perms, held) && allowedAny(meta?.anyPerms, held)
}

export const vPerms: Directive<HTMLElement, PermsValue, 'any'> = {
  mounted(el, binding) {
    const held = useAuthStore().permissions
    const ok = binding.modifiers.any ? allowedAny(binding.value, held) : allowed(binding.value, held)
    if (!ok) el.parentNode?.removeChild(el)
  },
}
