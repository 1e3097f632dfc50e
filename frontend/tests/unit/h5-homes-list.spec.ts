import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import Vant from 'vant'
import type { HomeBinding } from '@/h5/api/homes'
import { settleVantTimersAfterAll } from './support/vant'

settleVantTimersAfterAll()

// Screens keep timers (debounce, ticking ages): unmount each after its test, before the DOM is torn down.
enableAutoUnmount(afterEach)

const api = vi.hoisted(() => ({ list: [] as HomeBinding[] }))
vi.mock('@/h5/api/homes', () => ({
  fetchMyBindings: vi.fn(async () => api.list.map((b) => ({ ...b }))),
  followMyBindings: vi.fn(() => () => undefined),
  acceptInvitation: vi.fn(),
  cancelRequest: vi.fn(),
  declineInvitation: vi.fn(),
}))

const { i18n } = await import('@/h5/locales')
const List = (await import('@/h5/views/homes/list.vue')).default

/** What the server sends the person: no unit before approval, but always unitLabel; invitedBy only to the invited. */
function binding(id: string, status: HomeBinding['status'], number: string, extra: Partial<HomeBinding> = {}): HomeBinding {
  return {
    id, status, relation: 'OWNER', reason: '', createdAt: '2026-11-30T02:00:00Z', reviewedAt: null,
    unitLabel: `阳光花园 Sunshine Garden 1号楼 ${number}`, invitedBy: null, unit: null, ...extra,
  }
}

async function mountList() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:rest(.*)*', component: { template: '<div />' } }] })
  await router.push('/homes')
  const wrapper = mount(List, { global: { plugins: [i18n, router, Vant] } })
  await flushPromises()
  return wrapper
}

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  i18n.global.locale.value = 'zh-CN'
  api.list = []
})

describe('my homes on a phone that has never seen them', () => {
  it('names pending and rejected requests by their unit, from the server', async () => {
    api.list = [binding('p', 'PENDING', '303'), binding('r', 'REJECTED', '404', { reason: '不是业主' })]
    const wrapper = await mountList()
    expect(localStorage.length).toBe(0)
    expect(wrapper.get('[data-test="home-pending"] .van-cell__title > span').text()).toBe('阳光花园 1号楼 303')
    const rejected = wrapper.get('[data-test="home-rejected"]')
    expect(rejected.get('.van-cell__title').text()).toContain('阳光花园 1号楼 404')
    expect(rejected.text()).toContain('原因：不是业主')
  })

  it('says who invited the person, to which home and as what, in both languages', async () => {
    api.list = [binding('i', 'INVITED', '101', { relation: 'FAMILY', invitedBy: '张伟' })]
    const wrapper = await mountList()
    const text = () => wrapper.get('[data-test="home-invitation-text"] .van-cell__title > span').text()
    expect(text()).toBe('张伟 邀请您作为家属加入 阳光花园 1号楼 101')
    expect(wrapper.get('[data-test="home-invitation"]').text()).toContain('接受')

    i18n.global.locale.value = 'en'
    await flushPromises()
    expect(text()).toBe('张伟 invited you to join 阳光花园 1号楼 101 as family')
  })

  it('still names the home when the server gives no inviter', async () => {
    api.list = [binding('i', 'INVITED', '101', { relation: 'TENANT' })]
    const wrapper = await mountList()
    expect(wrapper.get('[data-test="home-invitation-text"] .van-cell__title > span').text()).toBe('业主邀请您作为租户加入 阳光花园 1号楼 101')
  })
})
