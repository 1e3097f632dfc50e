import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import Vant from 'vant'
import type { TicketDetail } from '@/h5/api/repairs'
import { settleVantTimersAfterAll } from './support/vant'

settleVantTimersAfterAll()

const live = vi.hoisted(() => ({ next: null as null | ((t: TicketDetail) => void), ticket: null as TicketDetail | null }))

vi.mock('@/h5/api/repairs', () => ({
  fetchTicket: vi.fn(async () => live.ticket),
  followTicket: vi.fn((_id: string, next: (t: TicketDetail) => void) => {
    live.next = next
    return () => undefined
  }),
  cancelTicket: vi.fn(),
  reopenTicket: vi.fn(),
  rateTicket: vi.fn(),
}))

const { i18n } = await import('@/h5/locales')
const Detail = (await import('@/h5/views/repairs/detail.vue')).default

const NOW = new Date('2026-12-01T08:00:00Z')

function ticket(over: Partial<TicketDetail> = {}): TicketDetail {
  return {
    __typename: 'Ticket', id: 'T1', number: 'R00000001', status: 'ASSIGNED', urgency: 'NORMAL', description: '水管漏水',
    publicArea: '', createdAt: '2026-12-01T01:00:00Z', completedAt: null,
    community: { id: 'C1', name: '阳光花园', timezone: 'Asia/Shanghai' },
    unit: { id: 'U1', number: '101', building: { id: 'B1', name: '1号楼' } },
    category: { id: 'c', name: '水电', nameEn: 'Water and power' },
    preferredStart: null, preferredEnd: null, acceptedAt: null, assignedAt: null, acknowledgedAt: null, startedAt: null,
    closedAt: null, rejectReason: '', reopenCount: 0, locationConsent: true,
    technician: { name: '李师傅', phone: '13800000004' }, rating: null, files: [], technicianPosition: null,
    timeline: [{ kind: 'CREATED', fromStatus: null, toStatus: 'SUBMITTED', note: '', createdAt: '2026-12-01T01:00:00Z', actorName: '张伟', files: [] }],
    ...over,
  } as TicketDetail
}

async function mountDetail() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/repairs/:id', component: Detail }] })
  await router.push('/repairs/T1')
  const wrapper = mount(Detail, { global: { plugins: [i18n, router, Vant] } })
  await flushPromises()
  return wrapper
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
  setActivePinia(createPinia())
  i18n.global.locale.value = 'zh-CN'
  live.next = null
})
afterEach(() => {
  vi.useRealTimers()
})

describe('a ticket as its reporter follows it', () => {
  it('offers a call while the technician is on the job, and shows their distance and how old it is', async () => {
    live.ticket = ticket()
    const wrapper = await mountDetail()
    expect(wrapper.get('[data-test="detail-status"]').text()).toBe('已派工')
    expect(wrapper.get('[data-test="call-technician"]').attributes('href')).toBe('tel:13800000004')
    expect(wrapper.find('[data-test="technician-position"]').exists()).toBe(false)

    live.next!(ticket({
      status: 'IN_PROGRESS',
      technicianPosition: { recordedAt: '2026-12-01T07:58:00Z', expiresAt: '2026-12-01T09:00:00Z', distanceMeters: 1234 },
    }))
    await flushPromises()
    expect(wrapper.get('[data-test="detail-status"]').text()).toBe('维修中')
    const position = wrapper.get('[data-test="technician-position"]').text()
    expect(position).toContain('距您家 约 1.2 公里')
    expect(position).toContain('2 分钟前')
    expect(wrapper.findAll('[data-test="timeline-entry"]')[0].text()).toBe('提交报修')
  })

  it('says the position is shared when the distance is unknown', async () => {
    live.ticket = ticket({
      status: 'IN_PROGRESS',
      technicianPosition: { recordedAt: '2026-12-01T07:59:40Z', expiresAt: '2026-12-01T09:00:00Z', distanceMeters: null },
    })
    const wrapper = await mountDetail()
    expect(wrapper.get('[data-test="technician-position"]').text()).toContain('位置已共享，距离暂不可知')
  })

  it('hides the call once the work is done, offers a rating, and reopening only within 7 days', async () => {
    live.ticket = ticket({ status: 'COMPLETED', completedAt: '2026-11-25T08:00:00Z' })
    const wrapper = await mountDetail()
    expect(wrapper.find('[data-test="call-technician"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="ticket-rate"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="ticket-reopen"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="ticket-cancel"]').exists()).toBe(false)
    wrapper.unmount()

    live.ticket = ticket({ status: 'COMPLETED', completedAt: '2026-11-24T07:00:00Z' }) // 7 days and an hour ago
    const later = await mountDetail()
    expect(later.find('[data-test="ticket-reopen"]').exists()).toBe(false)
    expect(later.find('[data-test="ticket-rate"]').exists()).toBe(true)
  })

  it('says so when the ticket is not there', async () => {
    live.ticket = null
    const wrapper = await mountDetail()
    expect(wrapper.get('[data-test="ticket-missing"]').text()).toContain('找不到这张报修单')
  })
})
