import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import Vant from 'vant'
import type { HomeBinding } from '@/h5/api/homes'
import { settleVantTimersAfterAll } from './support/vant'

settleVantTimersAfterAll()

const api = vi.hoisted(() => ({ list: [] as HomeBinding[] }))
vi.mock('@/h5/api/homes', () => ({
  fetchMyBindings: vi.fn(async () => api.list),
  followMyBindings: vi.fn(() => () => undefined),
}))

const { i18n } = await import('@/h5/locales')
const HomeSwitcher = (await import('@/h5/components/HomeSwitcher.vue')).default
const { CURRENT_HOME_KEY, useHomeStore } = await import('@/h5/stores/home')

function binding(id: string, status: HomeBinding['status'], number: string, relation: HomeBinding['relation'] = 'OWNER'): HomeBinding {
  return {
    id, status, relation, reason: '', createdAt: '2026-11-30T02:00:00Z', reviewedAt: null,
    unitLabel: `阳光花园 Sunshine Garden 1号楼 ${number}`, invitedBy: status === 'INVITED' ? '张伟' : null,
    unit: status === 'APPROVED'
      ? { id: `U${id}`, number, floor: 1, building: { id: 'B1', name: '1号楼' }, community: { id: 'C1', name: '阳光花园 Sunshine Garden', timezone: 'Asia/Shanghai' } }
      : null,
  }
}

async function mountSwitcher() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:rest(.*)*', component: { template: '<div />' } }] })
  await router.push('/')
  const wrapper = mount(HomeSwitcher, { global: { plugins: [i18n, router, Vant] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  document.body.innerHTML = ''
  i18n.global.locale.value = 'zh-CN'
})

describe('the current home card', () => {
  it('with no home, points to finding one', async () => {
    api.list = []
    const { wrapper, router } = await mountSwitcher()
    expect(wrapper.get('[data-test="home-none"]').text()).toContain('还没有绑定房屋')
    await wrapper.get('[data-test="home-find"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/homes/find')
  })

  it('with only a pending request, names its unit from the server (nothing kept on this fresh device) and says it is under review', async () => {
    api.list = [binding('p', 'PENDING', '302')]
    const { wrapper } = await mountSwitcher()
    expect(localStorage.length).toBe(0)
    const card = wrapper.get('[data-test="home-pending"]')
    expect(card.get('.card-title').text()).toBe('阳光花园 1号楼 302')
    expect(card.text()).toContain('审核中')
  })

  it('switches between approved homes through the action sheet and remembers the choice', async () => {
    api.list = [binding('a', 'APPROVED', '101'), binding('b', 'APPROVED', '202', 'TENANT'), binding('p', 'PENDING', '303')]
    const { wrapper } = await mountSwitcher()
    expect(wrapper.get('[data-test="home-current"]').text()).toContain('阳光花园 1号楼 101')
    await wrapper.get('[data-test="home-current"]').trigger('click')
    await flushPromises()
    const options = Array.from(document.querySelectorAll('.van-action-sheet__item'))
    expect(options.map((o) => o.textContent?.replace(/\s+/g, ''))).toEqual(['阳光花园1号楼101业主', '阳光花园1号楼202租户'])
    ;(options[1] as HTMLElement).click()
    await flushPromises()
    expect(wrapper.get('[data-test="home-current"]').text()).toContain('阳光花园 1号楼 202')
    expect(useHomeStore().current?.id).toBe('b')
    expect(localStorage.getItem(CURRENT_HOME_KEY)).toBe('b')
    wrapper.unmount()
  })
})
