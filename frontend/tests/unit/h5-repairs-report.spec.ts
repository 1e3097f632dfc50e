import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import Vant from 'vant'
import type { TicketCreateInput } from '@/graphql/generated/graphql'
import { settleVantTimersAfterAll } from './support/vant'

settleVantTimersAfterAll()

const calls = vi.hoisted(() => ({ create: [] as TicketCreateInput[], answers: [] as unknown[] }))

vi.mock('@/h5/api/repairs', () => ({
  fetchCategories: vi.fn(async () => [
    { id: 'cat-water', name: '水电', nameEn: 'Water and power', sort: 0 },
    { id: 'cat-door', name: '门窗', nameEn: 'Doors and windows', sort: 1 },
  ]),
  createTicket: vi.fn(async (input: TicketCreateInput) => {
    calls.create.push(input)
    return calls.answers.shift()
  }),
  uploadPhoto: vi.fn(),
  uploadVideo: vi.fn(),
}))

vi.mock('@/h5/api/homes', () => ({
  fetchMyBindings: vi.fn(async () => [{
    id: 'B1', status: 'APPROVED', relation: 'OWNER', reason: '', createdAt: '2026-11-30T02:00:00Z', reviewedAt: null,
    unit: { id: 'U101', number: '101', floor: 1, building: { id: 'BLD', name: '1号楼' }, community: { id: 'C1', name: '阳光花园', timezone: 'Asia/Shanghai' } },
  }]),
  followMyBindings: vi.fn(() => () => undefined),
}))

const { i18n } = await import('@/h5/locales')
const Report = (await import('@/h5/views/repairs/report.vue')).default

async function mountReport() {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/repairs/new', component: Report }, { path: '/repairs/:id', component: { template: '<div />' } },
    { path: '/:rest(.*)*', component: { template: '<div />' } },
  ] })
  await router.push('/repairs/new')
  const wrapper = mount(Report, { global: { plugins: [i18n, router, Vant] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  calls.create = []
  calls.answers = []
  i18n.global.locale.value = 'zh-CN'
})

describe('reporting a repair', () => {
  it('asks for a category and a description before sending anything', async () => {
    const { wrapper } = await mountReport()
    await wrapper.get('[data-test="report-submit"]').trigger('click')
    await flushPromises()
    expect(calls.create).toHaveLength(0)
    expect(wrapper.get('[data-test="category-error"]').text()).toBe('请选择报修类型')
    expect(wrapper.text()).toContain('请描述问题')
    wrapper.unmount()
  })

  it('sends the same idempotency key again when the first try failed on the network', async () => {
    calls.answers = [
      { ok: false, fields: {}, codes: ['NETWORK'] },
      { ok: true, payload: { ticket: { id: 'T1', number: 'R00000001' }, errors: [] } },
    ]
    const { wrapper, router } = await mountReport()
    await wrapper.get('[data-test="category-水电"]').trigger('click')
    await wrapper.get('[data-test="description"] textarea').setValue('厨房水龙头漏水')
    await wrapper.get('[data-test="urgency-urgent"]').trigger('click')
    await wrapper.get('[data-test="report-submit"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/repairs/new') // still on the form after the failure

    await wrapper.get('[data-test="report-submit"]').trigger('click')
    await flushPromises()
    expect(calls.create).toHaveLength(2)
    const [first, second] = calls.create
    expect(first.idempotencyKey).toBeTruthy()
    expect(second.idempotencyKey).toBe(first.idempotencyKey)
    expect(first).toMatchObject({ unitId: 'U101', categoryId: 'cat-water', description: '厨房水龙头漏水', urgency: 'URGENT', fileIds: [] })
    expect(router.currentRoute.value.path).toBe('/repairs/T1')
    wrapper.unmount()
  })

  it('gives another form another key', async () => {
    calls.answers = [
      { ok: true, payload: { ticket: { id: 'T1', number: 'R1' }, errors: [] } },
      { ok: true, payload: { ticket: { id: 'T2', number: 'R2' }, errors: [] } },
    ]
    for (let i = 0; i < 2; i++) {
      const { wrapper } = await mountReport()
      await wrapper.get('[data-test="category-门窗"]').trigger('click')
      await wrapper.get('[data-test="description"] textarea').setValue('窗户关不上')
      await wrapper.get('[data-test="report-submit"]').trigger('click')
      await flushPromises()
      wrapper.unmount()
    }
    expect(calls.create[0].idempotencyKey).not.toBe(calls.create[1].idempotencyKey)
  })
})
