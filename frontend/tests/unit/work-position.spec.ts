import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { PositionResult } from '@/api/work'
import { createPositionThrottle, useLocationSharing, type Fix } from '@/views/work/position'

const fix = (n: number): Fix => ({ latitude: 30 + n / 1000, longitude: 120, accuracy: n })
const ok: PositionResult = { ok: true, recordedAt: '2026-11-22T01:00:00Z' }
const flush = () => new Promise<void>((r) => setTimeout(r, 0))

describe('position throttle', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sends the first fix at once, then at most one every 30 s, always the newest', async () => {
    const sent: Fix[] = []
    const throttle = createPositionThrottle({ send: async (f) => (sent.push(f), ok) })
    throttle.push(fix(1))
    await vi.advanceTimersByTimeAsync(0)
    expect(sent.map((f) => f.accuracy)).toEqual([1])

    // Given fixes every 5 s, when 29 s pass, nothing else goes out
    for (let i = 2; i <= 6; i += 1) {
      await vi.advanceTimersByTimeAsync(5_000)
      throttle.push(fix(i))
    }
    await vi.advanceTimersByTimeAsync(4_000)
    expect(sent.length).toBe(1)
    // then at 30 s only the newest of them is sent
    await vi.advanceTimersByTimeAsync(1_000)
    expect(sent.map((f) => f.accuracy)).toEqual([1, 6])

    // and with no new fix nothing more is sent
    await vi.advanceTimersByTimeAsync(120_000)
    expect(sent.length).toBe(2)
    // a fix long after the last send goes out at once
    throttle.push(fix(7))
    await vi.advanceTimersByTimeAsync(0)
    expect(sent.map((f) => f.accuracy)).toEqual([1, 6, 7])
  })

  it('never has two reports in flight and never sends after stop', async () => {
    let release: (r: PositionResult) => void = () => undefined
    const send = vi.fn(() => new Promise<PositionResult>((r) => (release = r)))
    const throttle = createPositionThrottle({ send, intervalMs: 1_000 })
    throttle.push(fix(1))
    await vi.advanceTimersByTimeAsync(5_000)
    throttle.push(fix(2))
    await vi.advanceTimersByTimeAsync(5_000)
    expect(send).toHaveBeenCalledTimes(1) // the first is still waiting for the server
    release(ok)
    await vi.advanceTimersByTimeAsync(0)
    expect(send).toHaveBeenCalledTimes(2)
    release(ok)
    throttle.push(fix(3))
    throttle.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    throttle.push(fix(4))
    await vi.advanceTimersByTimeAsync(10_000)
    expect(send).toHaveBeenCalledTimes(2)
  })

  it('reports each result, a thrown send as NETWORK', async () => {
    const results: PositionResult[] = []
    const throttle = createPositionThrottle({ send: async () => Promise.reject(new Error('offline')), onResult: (r) => results.push(r) })
    throttle.push(fix(1))
    await vi.advanceTimersByTimeAsync(0)
    expect(results).toEqual([{ ok: false, code: 'NETWORK' }])
  })
})

class FakeGeolocation implements Geolocation {
  watchers = new Map<number, { ok: PositionCallback; err?: PositionErrorCallback | null }>()
  private next = 1
  watchPosition(ok: PositionCallback, err?: PositionErrorCallback | null): number {
    const id = this.next++
    this.watchers.set(id, { ok, err })
    return id
  }
  clearWatch(id: number): void {
    this.watchers.delete(id)
  }
  getCurrentPosition(): void {
    throw new Error('not used')
  }
  move(lat: number, lng: number, accuracy = 12.4): void {
    const coords = { latitude: lat, longitude: lng, accuracy } as GeolocationCoordinates
    for (const w of this.watchers.values()) w.ok({ coords, timestamp: Date.now() } as GeolocationPosition)
  }
  deny(): void {
    for (const w of this.watchers.values()) w.err?.({ code: 1, message: 'denied' } as GeolocationPositionError)
  }
}

describe('location sharing', () => {
  function setup(send: (id: string, f: Fix) => Promise<PositionResult>, onFinal?: (code: string) => void) {
    const geo = new FakeGeolocation()
    const active = ref(false)
    const ticketId = ref<string | null>('T1')
    const scope = effectScope()
    const sharing = scope.run(() => useLocationSharing({ active, ticketId, send, onFinal, geolocation: geo, intervalMs: 0 }))!
    return { geo, active, ticketId, scope, sharing }
  }

  it('watches only while active, and sends the position for the ticket', async () => {
    const send = vi.fn(async () => ok)
    const { geo, active, sharing, scope } = setup(send)
    expect(geo.watchers.size).toBe(0)
    active.value = true
    await nextTick()
    expect(geo.watchers.size).toBe(1)
    expect(sharing.state.value).toBe('locating')
    geo.move(31.2, 121.5)
    await flush()
    expect(send).toHaveBeenCalledWith('T1', { latitude: 31.2, longitude: 121.5, accuracy: 12 })
    expect(sharing.state.value).toBe('sharing')
    expect(sharing.lastSentAt.value).toBe('2026-11-22T01:00:00Z')

    // When consent is turned off (or the work completes), watching stops
    active.value = false
    await nextTick()
    expect(geo.watchers.size).toBe(0)
    expect(sharing.state.value).toBe('off')
    scope.stop()
  })

  it('stops watching when the page goes away', async () => {
    const { geo, active, scope } = setup(async () => ok)
    active.value = true
    await nextTick()
    expect(geo.watchers.size).toBe(1)
    scope.stop()
    expect(geo.watchers.size).toBe(0)
  })

  it('stops for good on a final refusal and tells the page', async () => {
    const onFinal = vi.fn()
    const { geo, active, sharing, scope } = setup(async () => ({ ok: false, code: 'LOCATION_NOT_SHARED' }), onFinal)
    active.value = true
    await nextTick()
    geo.move(31, 121)
    await flush()
    expect(onFinal).toHaveBeenCalledWith('LOCATION_NOT_SHARED')
    expect(geo.watchers.size).toBe(0)
    expect(sharing.state.value).toBe('off')
    scope.stop()
  })

  it('keeps watching after a passing failure, and stops when location is denied', async () => {
    const { geo, active, sharing, scope } = setup(async () => ({ ok: false, code: 'NETWORK' }))
    active.value = true
    await nextTick()
    geo.move(31, 121)
    await flush()
    expect(sharing.state.value).toBe('failed')
    expect(sharing.lastError.value).toBe('NETWORK')
    expect(geo.watchers.size).toBe(1)
    geo.deny()
    expect(sharing.state.value).toBe('denied')
    expect(geo.watchers.size).toBe(0)
    scope.stop()
  })

  it('says so when the browser has no geolocation', async () => {
    const active = ref(true)
    const scope = effectScope()
    const sharing = scope.run(() => useLocationSharing({ active, ticketId: ref('T1'), send: async () => ok, geolocation: null }))!
    expect(sharing.state.value).toBe('unavailable')
    scope.stop()
  })
})
