import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { allowed, vPerms } from '@/directives/perms'
import { useAuthStore } from '@/stores/auth'
import { decide } from '@/router/guard'

const Buttons = defineComponent({
  directives: { perms: vPerms },
  template: `<div>
    <button data-test="write" v-perms="'UNIT_WRITE'">w</button>
    <button data-test="read" v-perms="'UNIT_READ'">r</button>
    <button data-test="both" v-perms="['UNIT_READ', 'STAFF_WRITE']">b</button>
    <button data-test="free">f</button>
  </div>`,
})

describe('v-perms', () => {
  beforeEach(() => {
    const pinia = createPinia()
    setActivePinia(pinia)
    useAuthStore().setViewer({
      user: { id: 'u', name: 'n', phone: 'p' }, isPlatformAdmin: false, permissions: ['UNIT_READ'],
      company: { id: 'c', name: 'C' }, memberships: [], roles: [], communities: [],
    })
  })

  it('removes what the caller may not use and keeps the rest', () => {
    const wrapper = mount(Buttons)
    expect(wrapper.find('[data-test=read]').exists()).toBe(true)
    expect(wrapper.find('[data-test=free]').exists()).toBe(true)
    expect(wrapper.find('[data-test=write]').exists()).toBe(false)
    expect(wrapper.find('[data-test=both]').exists()).toBe(false)
  })

  it('allowed() treats an empty requirement as allowed', () => {
    expect(allowed(undefined, new Set())).toBe(true)
    expect(allowed([], new Set())).toBe(true)
    expect(allowed('AUDIT_READ', new Set(['AUDIT_READ']))).toBe(true)
  })
})

describe('route guard', () => {
  const staff = { loggedIn: true, isPlatformAdmin: false, hasCompany: true, permissions: new Set(['UNIT_READ']) }
  const platform = { loggedIn: true, isPlatformAdmin: true, hasCompany: false, permissions: new Set<string>() }
  const to = (meta: Record<string, unknown>, fullPath = '/x') => ({ meta, fullPath, name: 'x' })

  it('sends anonymous callers to login with a redirect', () => {
    expect(decide(to({ console: 'property' }, '/owners'), { ...staff, loggedIn: false })).toEqual({ name: 'login', query: { redirect: '/owners' } })
  })
  it('keeps staff out of the platform console and platform admins out of the property console', () => {
    expect(decide(to({ console: 'platform' }), staff)).toBe('/')
    expect(decide(to({ console: 'property' }), platform)).toBe('/platform')
  })
  it('checks route permissions', () => {
    expect(decide(to({ console: 'property', perms: ['UNIT_READ'] }), staff)).toBe(true)
    expect(decide(to({ console: 'property', perms: ['AUDIT_READ'] }), staff)).toEqual({ name: 'forbidden' })
  })
})
