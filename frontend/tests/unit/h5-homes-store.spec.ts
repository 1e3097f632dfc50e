import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { HomeBinding } from '@/h5/api/homes'

const api = vi.hoisted(() => ({
  list: [] as HomeBinding[] | null,
  listener: null as null | ((kind: string, binding: HomeBinding) => void),
  stopped: 0,
  follows: 0,
}))

vi.mock('@/h5/api/homes', () => ({
  fetchMyBindings: vi.fn(async () => (api.list ? api.list.map((b) => ({ ...b })) : null)),
  followMyBindings: vi.fn((onEvent: (kind: string, binding: HomeBinding) => void) => {
    api.follows += 1
    api.listener = onEvent
    return () => {
      api.stopped += 1
      api.listener = null
    }
  }),
}))

const { CURRENT_HOME_KEY, bindingLabel, homeLabel, pickCurrent, shortName, shortUnitLabel, useHomeStore } = await import('@/h5/stores/home')
const { useSessionStore } = await import('@/h5/stores/session')
const { nextTick } = await import('vue')

function home(id: string, status: HomeBinding['status'], number = '101', relation: HomeBinding['relation'] = 'OWNER'): HomeBinding {
  return {
    id, status, relation, reason: '', createdAt: '2026-11-30T02:00:00Z', reviewedAt: null,
    unitLabel: `阳光花园 Sunshine Garden 1号楼 ${number}`, invitedBy: status === 'INVITED' ? '张伟' : null,
    unit: status === 'APPROVED'
      ? { id: `U${id}`, number, floor: 1, building: { id: 'B1', name: '1号楼' }, community: { id: 'C1', name: '阳光花园 Sunshine Garden', timezone: 'Asia/Shanghai' } }
      : null,
  }
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  api.list = []
  api.listener = null
  api.stopped = 0
  api.follows = 0
})

describe('choosing the current home', () => {
  it('takes the remembered approved home, else the first approved, never a pending one', () => {
    const list = [home('p', 'PENDING'), home('a', 'APPROVED', '101'), home('b', 'APPROVED', '202')]
    expect(pickCurrent(list, null)?.id).toBe('a')
    expect(pickCurrent(list, 'b')?.id).toBe('b')
    expect(pickCurrent(list, 'p')?.id).toBe('a')
    expect(pickCurrent(list, 'gone')?.id).toBe('a')
    expect(pickCurrent([home('p', 'PENDING'), home('i', 'INVITED')], 'p')).toBeNull()
  })

  it('names a home by community, building and number, without the English half', () => {
    expect(homeLabel(pickCurrent([home('a', 'APPROVED')], null)!)).toBe('阳光花园 1号楼 101')
    expect(shortName('Maple Court')).toBe('Maple Court')
    expect(shortName('翠湖苑')).toBe('翠湖苑')
  })

  it('names a request the unit of which it cannot see from the server\'s unitLabel, shortened the same way', () => {
    expect(bindingLabel(home('p', 'PENDING', '303'))).toBe('阳光花园 1号楼 303')
    expect(bindingLabel(home('a', 'APPROVED', '303'))).toBe('阳光花园 1号楼 303')
    expect(shortUnitLabel('翠湖苑 3栋 1202')).toBe('翠湖苑 3栋 1202')
    expect(shortUnitLabel('Maple Court Block A 12')).toBe('Maple Court Block A 12')
    // Latin words that may be the building's are kept: nothing is dropped that could leave the building unnamed.
    expect(shortUnitLabel('阳光花园 Sunshine Garden Tower B 302')).toBe('阳光花园 Sunshine Garden Tower B 302')
    expect(shortUnitLabel('阳光花园 Sunshine Garden A座 302')).toBe('阳光花园 A座 302')
  })

  it('remembers the choice on the device across a reload, and ignores a home that is not approved', async () => {
    api.list = [home('a', 'APPROVED', '101'), home('b', 'APPROVED', '202'), home('p', 'PENDING')]
    const store = useHomeStore()
    await store.load()
    expect(store.current?.id).toBe('a')
    store.select('b')
    store.select('p')
    expect(store.current?.id).toBe('b')
    expect(localStorage.getItem(CURRENT_HOME_KEY)).toBe('b')

    setActivePinia(createPinia()) // a new visit
    const again = useHomeStore()
    await again.load()
    expect(again.currentLabel).toBe('阳光花园 1号楼 202')
  })

  it('falls back to the first approved home when the remembered one was removed', async () => {
    localStorage.setItem(CURRENT_HOME_KEY, 'b')
    api.list = [home('a', 'APPROVED'), { ...home('b', 'APPROVED'), status: 'REMOVED', unit: null }]
    const store = useHomeStore()
    await store.load()
    expect(store.current?.id).toBe('a')
  })

  it('keeps what it had when a reload fails', async () => {
    api.list = [home('a', 'APPROVED')]
    const store = useHomeStore()
    await store.load()
    api.list = null
    await store.load()
    expect(store.current?.id).toBe('a')
    expect(store.loaded).toBe(true)
  })
})

describe('requests followed live', () => {
  it('turns a pending request approved and makes it usable, with one subscription for all screens', async () => {
    api.list = [home('p', 'PENDING', '303')]
    const store = useHomeStore()
    await store.load()
    expect(store.current).toBeNull()
    expect(store.pending.map(bindingLabel)).toEqual(['阳光花园 1号楼 303'])

    const seen: string[] = []
    const stopA = store.followLive((kind) => seen.push(`a:${kind}`))
    const stopB = store.followLive((kind) => seen.push(`b:${kind}`))
    expect(api.follows).toBe(1)

    api.listener!('APPROVED', home('p', 'APPROVED', '303'))
    expect(seen).toEqual(['a:APPROVED', 'b:APPROVED'])
    expect(store.current?.id).toBe('p')
    expect(store.currentLabel).toBe('阳光花园 1号楼 303')
    expect(store.pending).toHaveLength(0)

    stopA()
    expect(api.stopped).toBe(0)
    stopB()
    expect(api.stopped).toBe(1)
  })

  it('lists a rejection and an invitation as they arrive', async () => {
    api.list = [home('p', 'PENDING')]
    const store = useHomeStore()
    await store.load()
    const stop = store.followLive()
    api.listener!('REJECTED', { ...home('p', 'REJECTED'), reason: '不是业主' })
    api.listener!('INVITED', home('i', 'INVITED', '101', 'FAMILY'))
    expect(store.bindings.find((b) => b.id === 'p')?.status).toBe('REJECTED')
    expect(store.invitations.map((b) => b.id)).toEqual(['i'])
    expect(store.invitations[0].invitedBy).toBe('张伟')
    stop()
  })

  it('forgets the homes and the choice on sign-out', async () => {
    api.list = [home('a', 'APPROVED')]
    const store = useHomeStore()
    await store.load()
    store.select('a')
    store.followLive()
    store.reset()
    expect(api.stopped).toBe(1)
    expect(store.current).toBeNull()
    expect(localStorage.getItem(CURRENT_HOME_KEY)).toBeNull()
  })

  it('drops the last person\'s homes when another one signs in on the phone', async () => {
    const session = useSessionStore()
    session.viewer = { user: { id: 'person-1' } } as never
    api.list = [home('a', 'APPROVED')]
    const store = useHomeStore()
    await store.load()
    store.select('a')
    expect(store.current?.id).toBe('a')

    session.viewer = { user: { id: 'person-2' } } as never
    await nextTick()
    expect(store.bindings).toEqual([])
    expect(store.loaded).toBe(false)

    session.viewer = null as never
    await nextTick()
    expect(localStorage.getItem(CURRENT_HOME_KEY)).toBeNull()
  })
})
