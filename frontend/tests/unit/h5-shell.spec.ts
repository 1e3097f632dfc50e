/** The owner app's router guard, module tiles, image fitting, and the console sending a resident to /h5/. */
import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { decide, isOwnerOnly, OWNER_APP } from '@/router/guard'
import { decide as decideH5 } from '@/h5/router'
import { availableModules, MODULES } from '@/h5/modules'
import { fitWithin } from '@/h5/utils/image'

const page = { template: '<div />' }

describe('owner app guard', () => {
  const to = (meta: Record<string, unknown>, fullPath = '/x', name = 'x') => ({ meta, fullPath, name })
  it('sends a signed-out visitor to sign in and back to where they were going', () => {
    expect(decideH5(to({}, '/repairs/42'), false)).toEqual({ name: 'login', query: { redirect: '/repairs/42' } })
    expect(decideH5(to({}, '/'), false)).toEqual({ name: 'login', query: {} })
    expect(decideH5(to({}, '/notifications'), true)).toBe(true)
  })
  it('lets anyone see the public screens, and sends a signed-in visitor of the login page home', () => {
    expect(decideH5(to({ public: true }, '/forgot-password', 'forgot-password'), false)).toBe(true)
    expect(decideH5(to({ public: true }, '/login', 'login'), true)).toEqual({ name: 'home' })
  })
})

describe('module tiles', () => {
  it('show only modules whose screen exists in this build', () => {
    const router = createRouter({
      history: createMemoryHistory('/h5/'),
      routes: [
        { path: '/', component: page },
        { path: '/notifications', component: page },
        { path: '/homes', component: page },
        { path: '/:rest(.*)*', redirect: '/' },
      ],
    })
    expect(availableModules(router).map((m) => m.to)).toEqual(['/homes', '/notifications'])
    expect(MODULES.map((m) => m.to)).toEqual(['/repairs', '/homes', '/notifications'])
  })
})

describe('avatar resize', () => {
  it('fits the longer side within the limit and never enlarges', () => {
    expect(fitWithin(4000, 3000, 512)).toEqual({ width: 512, height: 384 })
    expect(fitWithin(1000, 3000, 512)).toEqual({ width: 171, height: 512 })
    expect(fitWithin(300, 200, 512)).toEqual({ width: 300, height: 200 })
  })
})

describe('console sends a resident to the owner app', () => {
  const owner = { loggedIn: true, isPlatformAdmin: false, hasCompany: false, permissions: new Set<string>() }
  const staff = { ...owner, hasCompany: true }
  const to = (meta: Record<string, unknown>, fullPath = '/x', name = 'x') => ({ meta, fullPath, name })

  it('instead of the 403 page, for every console screen and the login page', () => {
    expect(isOwnerOnly(owner)).toBe(true)
    expect(decide(to({ console: 'property' }, '/'), owner)).toBe(OWNER_APP)
    expect(decide(to({ console: 'platform' }, '/platform'), owner)).toBe(OWNER_APP)
    expect(decide(to({ public: true }, '/login', 'login'), owner)).toBe(OWNER_APP)
  })

  it('but not staff, platform admins or signed-out visitors', () => {
    expect(isOwnerOnly(staff)).toBe(false)
    expect(isOwnerOnly({ ...owner, isPlatformAdmin: true })).toBe(false)
    expect(decide(to({ console: 'property' }, '/owners'), staff)).toBe(true)
    expect(decide(to({ console: 'property' }, '/owners'), { ...owner, loggedIn: false })).toEqual({ name: 'login', query: { redirect: '/owners' } })
  })
})
