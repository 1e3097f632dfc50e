import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { mount } from '@vue/test-utils'
import type { TicketCard } from '@/api/repairs'
import type { EventKind } from '@/graphql/generated/graphql'

interface Sub {
  communityId: string
  handler: (kind: EventKind, ticket: TicketCard) => void
  onError: (code: string) => void
  stopped: boolean
}
const subs: Sub[] = []

vi.mock('@/api/repairs', () => ({
  onCommunityTicketEvents: (communityId: string, handler: Sub['handler'], onError: Sub['onError']) => {
    const sub: Sub = { communityId, handler, onError, stopped: false }
    subs.push(sub)
    return () => {
      sub.stopped = true
    }
  },
}))

const { useCommunityTicketEvents, MAX_LIVE_COMMUNITIES } = await import('@/domains/repairs/live')

function host(resync: () => void, onEvent = vi.fn()) {
  let live!: ReturnType<typeof useCommunityTicketEvents>
  const wrapper = mount(defineComponent({
    setup() {
      live = useCommunityTicketEvents({ resync, onEvent, retryMs: 1000, pollMs: 60_000 })
      return () => h('div')
    },
  }))
  return { wrapper, live: () => live, onEvent }
}

const active = () => subs.filter((s) => !s.stopped)

describe('live community ticket events', () => {
  beforeEach(() => {
    subs.length = 0
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('subscribes to each community, loads at once, and passes events on', () => {
    const resync = vi.fn()
    const { live, onEvent } = host(resync)
    live().start(['C1', 'C2', 'C1'])
    expect(active().map((s) => s.communityId)).toEqual(['C1', 'C2'])
    expect(resync).toHaveBeenCalledTimes(1)
    expect(live().state.value).toBe('live')
    const ticket = { id: 'T1' } as TicketCard
    subs[1].handler('CREATED', ticket)
    expect(onEvent).toHaveBeenCalledWith('CREATED', ticket)
  })

  it('resubscribes after a dropped socket and refetches, since events may have been missed', () => {
    const resync = vi.fn()
    const { live } = host(resync)
    live().start(['C1'])
    subs[0].onError('NETWORK')
    expect(live().state.value).toBe('retrying')
    vi.advanceTimersByTime(1000)
    expect(active()).toHaveLength(1)
    expect(subs).toHaveLength(2)
    vi.advanceTimersByTime(300)
    expect(resync).toHaveBeenCalledTimes(2)
    expect(live().state.value).toBe('live')
  })

  it('does not retry a refusal', () => {
    const { live } = host(vi.fn())
    live().start(['C1'])
    subs[0].onError('FORBIDDEN')
    vi.advanceTimersByTime(120_000)
    expect(subs).toHaveLength(1)
  })

  it('follows at most the socket budget and polls for the rest', () => {
    const resync = vi.fn()
    const { live } = host(resync)
    const ids = Array.from({ length: MAX_LIVE_COMMUNITIES + 3 }, (_, i) => `C${i}`)
    live().start(ids)
    expect(active()).toHaveLength(MAX_LIVE_COMMUNITIES)
    expect(live().unfollowed.value).toBe(3)
    expect(live().state.value).toBe('partial')
    vi.advanceTimersByTime(20_050)
    expect(resync).toHaveBeenCalledTimes(2)
  })

  it('refetches when the browser comes back online, and stops everything on unmount', () => {
    const resync = vi.fn()
    const { wrapper, live } = host(resync)
    live().start(['C1'])
    window.dispatchEvent(new Event('online'))
    vi.advanceTimersByTime(300)
    expect(resync).toHaveBeenCalledTimes(2)
    wrapper.unmount()
    expect(active()).toHaveLength(0)
    window.dispatchEvent(new Event('online'))
    vi.advanceTimersByTime(60_000)
    expect(resync).toHaveBeenCalledTimes(2)
  })
})
