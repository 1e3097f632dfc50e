/** v-perms="'UNIT_WRITE'" or v-perms="['STAFF_WRITE', ...]": the element is removed unless the caller holds them all. */
import type { Directive } from 'vue'
import type { Perm } from '@/graphql/generated/graphql'
import { useAuthStore } from '@/stores/auth'

export type PermsValue = Perm | readonly Perm[] | null | undefined

export function allowed(value: PermsValue, held: ReadonlySet<string>): boolean {
  if (!value) return true
  const list = typeof value === 'string' ? [value] : value
  return list.every((p) => held.has(p))
}

export const vPerms: Directive<HTMLElement, PermsValue> = {
  mounted(el, binding) {
    if (!allowed(binding.value, useAuthStore().permissions)) el.parentNode?.removeChild(el)
  },
}
