import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import Vant from 'vant'
import { settleVantTimersAfterAll } from './support/vant'

settleVantTimersAfterAll()

// Screens keep timers (debounce, ticking ages): unmount each after its test, before the DOM is torn down.
enableAutoUnmount(afterEach)

const api = vi.hoisted(() => ({
  searches: [] as string[],
  lookups: [] as string[],
  unitAnswer: { ok: false, code: 'NOT_FOUND' } as unknown,
  requested: [] as { unitId: string; relation: string }[],
  mine: [] as unknown[],
  listener: null as null | ((kind: string, binding: unknown) => void),
}))

vi.mock('@/h5/api/homes', () => ({
  MIN_SEARCH: 2,
  searchCommunities: vi.fn(async (text: string) => {
    api.searches.push(text)
    return [{ id: 'C1', name: '阳光花园 Sunshine Garden', address: '世纪大道 100 号' }]
  }),
  fetchBuildings: vi.fn(async () => [{ id: 'B1', name: '1号楼' }, { id: 'B2', name: '2号楼' }]),
  findUnit: vi.fn(async (_b: string, number: string) => {
    api.lookups.push(number)
    return api.unitAnswer
  }),
  requestBinding: vi.fn(async (unitId: string, relation: string) => {
    api.requested.push({ unitId, relation })
    const binding = { id: 'NEW', status: 'PENDING', relation, reason: '', createdAt: '2026-12-01T00:00:00Z', reviewedAt: null, unitLabel: '阳光花园 Sunshine Garden 1号楼 302', invitedBy: null, unit: null }
    api.mine.push(binding)
    return { ok: true, payload: { binding: { ...binding }, errors: [] } }
  }),
  fetchMyBindings: vi.fn(async () => api.mine.map((b) => ({ ...(b as object) }))),
  followMyBindings: vi.fn((onEvent: (kind: string, binding: unknown) => void) => {
    api.listener = onEvent
    return () => undefined
  }),
}))

const { i18n } = await import('@/h5/locales')
const Find = (await import('@/h5/views/homes/find.vue')).default

async function mountFind() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:rest(.*)*', component: Find }] })
  await router.push('/homes/find')
  const wrapper = mount(Find, { global: { plugins: [i18n, router, Vant] } })
  await flushPromises()
  return wrapper
}

async function typeSearch(wrapper: Awaited<ReturnType<typeof mountFind>>, text: string) {
  await wrapper.get('[data-test="community-search"] input').setValue(text)
  vi.runOnlyPendingTimers() // the debounce
  await flushPromises()
}

beforeEach(() => {
  vi.useFakeTimers()
  setActivePinia(createPinia())
  localStorage.clear()
  i18n.global.locale.value = 'zh-CN'
  Object.assign(api, { searches: [], lookups: [], requested: [], mine: [], listener: null, unitAnswer: { ok: false, code: 'NOT_FOUND' } })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('finding my home', () => {
  it('searches only from 2 characters, and once for a burst of typing', async () => {
    const wrapper = await mountFind()
    await typeSearch(wrapper, '阳')
    expect(api.searches).toEqual([])
    expect(wrapper.text()).toContain('输入至少 2 个字开始搜索')

    await wrapper.get('[data-test="community-search"] input').setValue('阳光')
    await wrapper.get('[data-test="community-search"] input').setValue('阳光花')
    vi.runOnlyPendingTimers()
    await flushPromises()
    expect(api.searches).toEqual(['阳光花'])
    expect(wrapper.findAll('[data-test="community-option"]')).toHaveLength(1)
  })

  it('explains a unit number that is not there, and a lookup limit', async () => {
    const wrapper = await mountFind()
    await typeSearch(wrapper, '阳光')
    await wrapper.get('[data-test="community-option"]').trigger('click')
    await flushPromises()
    await wrapper.findAll('[data-test="building-option"]')[0].trigger('click')
    await wrapper.get('[data-test="unit-number"] input').setValue('9999')
    await wrapper.get('[data-test="unit-search"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-test="unit-number"]').text()).toContain('这个楼栋没有这个房号，请核对后再试')

    api.unitAnswer = { ok: false, code: 'RATE_LIMITED' }
    await wrapper.get('[data-test="unit-search"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-test="unit-number"]').text()).toContain('查询太频繁了，请稍后再试')
    expect(api.lookups).toEqual(['9999', '9999'])
  })

  it('requests the unit with the chosen role, then turns approved live', async () => {
    api.unitAnswer = { ok: true, unit: { id: 'U302', label: '阳光花园 Sunshine Garden 1号楼 302', floor: 3 } }
    const wrapper = await mountFind()
    await typeSearch(wrapper, '阳光')
    await wrapper.get('[data-test="community-option"]').trigger('click')
    await flushPromises()
    await wrapper.findAll('[data-test="building-option"]')[0].trigger('click')
    await wrapper.get('[data-test="unit-number"] input').setValue('302')
    await wrapper.get('[data-test="unit-search"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-test="unit-found"]').text()).toContain('阳光花园 Sunshine Garden 1号楼 302')

    await wrapper.get('[data-test="relation-TENANT"]').trigger('click')
    await wrapper.get('[data-test="binding-submit"]').trigger('click')
    await flushPromises()
    expect(api.requested).toEqual([{ unitId: 'U302', relation: 'TENANT' }])
    expect(wrapper.get('[data-test="binding-sent"]').attributes('data-status')).toBe('PENDING')
    expect(localStorage.length).toBe(0) // the request's label is the server's (unitLabel), nothing is kept on the phone
    expect(wrapper.get('[data-test="sent-label"]').text()).toBe('阳光花园 1号楼 302 · 租户')

    api.listener!('APPROVED', {
      id: 'NEW', status: 'APPROVED', relation: 'TENANT', reason: '', createdAt: '2026-12-01T00:00:00Z', reviewedAt: '2026-12-01T00:05:00Z',
      unitLabel: '阳光花园 Sunshine Garden 1号楼 302', invitedBy: null,
      unit: { id: 'U302', number: '302', floor: 3, building: { id: 'B1', name: '1号楼' }, community: { id: 'C1', name: '阳光花园', timezone: 'Asia/Shanghai' } },
    })
    await flushPromises()
    expect(wrapper.get('[data-test="binding-sent"]').attributes('data-status')).toBe('APPROVED')
    expect(wrapper.text()).toContain('认证已通过')
    expect(wrapper.get('[data-test="binding-sent"]').text()).toContain('阳光花园 1号楼 302')
  })
})
