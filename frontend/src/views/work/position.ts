/**
 * Position sharing while the technician works on a ticket they consented for: the phone's position is watched
 * and sent at most every 30 s (the newest one wins), and watching stops when the work or the consent ends, or the
 * page is left.
 */
import { computed, onScopeDispose, ref, watch, type Ref } from 'vue'
import type { PositionResult } from '@/api/work'

export interface Fix {
  latitude: number
  longitude: number
  /** Metres, rounded; null when the device gives none. */
  accuracy: number | null
}

export const REPORT_INTERVAL_MS = 30_000
/** Refusals that will not change by trying again: the ticket is no longer in progress, or consent is off. */
export const FINAL_CODES = new Set(['LOCATION_NOT_SHARED', 'ILLEGAL_TRANSITION', 'NOT_FOUND', 'FORBIDDEN'])

export interface ThrottleOptions {
  send: (fix: Fix) => Promise<PositionResult>
  onResult?: (result: PositionResult) => void
  intervalMs?: number
  now?: () => number
}

/** Sends the newest pushed fix at once, then at most one every interval; a push meanwhile replaces the waiting one. */
export function createPositionThrottle(options: ThrottleOptions) {
  const interval = options.intervalMs ?? REPORT_INTERVAL_MS
  const now = options.now ?? (() => Date.now())
  let lastSent = Number.NEGATIVE_INFINITY
  let pending: Fix | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let inFlight = false
  let stopped = false

  async function flush(): Promise<void> {
    if (stopped || !pending) return
    const fix = pending
    pending = null
    inFlight = true
    lastSent = now()
    let result: PositionResult
    try {
      result = await options.send(fix)
    } catch {
      result = { ok: false, code: 'NETWORK' }
    }
    inFlight = false
    if (stopped) return
    options.onResult?.(result)
    schedule()
  }

  function schedule(): void {
    if (stopped || inFlight || timer || !pending) return
    const wait = lastSent + interval - now()
    if (wait <= 0) {
      void flush()
      return
    }
    timer = setTimeout(() => {
      timer = null
      void flush()
    }, wait)
  }

  return {
    push(fix: Fix): void {
      if (stopped) return
      pending = fix
      schedule()
    },
    stop(): void {
      stopped = true
      pending = null
      if (timer) clearTimeout(timer)
      timer = null
    },
  }
}

export type SharingState = 'off' | 'locating' | 'sharing' | 'denied' | 'unavailable' | 'failed'

export interface SharingOptions {
  /** True while positions should be sent: the ticket is mine, in progress, and I consented. */
  active: Ref<boolean>
  ticketId: Ref<string | null>
  send: (ticketId: string, fix: Fix) => Promise<PositionResult>
  /** The server refused for good (consent off, ticket moved on): the page should show the ticket as it is now. */
  onFinal?: (code: string) => void
  geolocation?: Geolocation | null
  intervalMs?: number
}

/** Watches the position while `active` holds; call inside a component (or an effect scope), which stops it when disposed. */
export function useLocationSharing(options: SharingOptions) {
  const geo = options.geolocation !== undefined ? options.geolocation : typeof navigator !== 'undefined' && 'geolocation' in navigator ? navigator.geolocation : null
  const state = ref<SharingState>('off')
  /** When the server last stored a position from this page (UTC, as the API gives it). */
  const lastSentAt = ref<string | null>(null)
  /** The code of the last failed report, '' when the last one worked. */
  const lastError = ref('')
  let watchId: number | null = null
  let throttle: ReturnType<typeof createPositionThrottle> | null = null

  function stop(): void {
    if (watchId !== null && geo) geo.clearWatch(watchId)
    watchId = null
    throttle?.stop()
    throttle = null
  }

  function start(id: string): void {
    stop()
    if (!geo) {
      state.value = 'unavailable'
      return
    }
    state.value = 'locating'
    lastError.value = ''
    const current = createPositionThrottle({
      intervalMs: options.intervalMs,
      send: (fix) => options.send(id, fix),
      onResult: (result) => {
        if (throttle !== current) return
        if (result.ok) {
          lastError.value = ''
          lastSentAt.value = result.recordedAt ?? new Date().toISOString()
          state.value = 'sharing'
          return
        }
        lastError.value = result.code
        if (FINAL_CODES.has(result.code)) {
          stop()
          state.value = 'off'
          options.onFinal?.(result.code)
        } else {
          state.value = 'failed'
        }
      },
    })
    throttle = current
    watchId = geo.watchPosition(
      (pos) => {
        if (throttle !== current) return
        const accuracy = Number.isFinite(pos.coords.accuracy) ? Math.min(100_000, Math.max(0, Math.round(pos.coords.accuracy))) : null
        current.push({ latitude: pos.coords.latitude, longitude: pos.coords.longitude, accuracy })
      },
      (error) => {
        if (throttle !== current) return
        // 1 = PERMISSION_DENIED: nothing will come until the technician allows it in the browser.
        if (error.code === 1) {
          stop()
          state.value = 'denied'
        } else if (state.value !== 'sharing') {
          state.value = 'locating'
        }
      },
      { enableHighAccuracy: true, maximumAge: 15_000, timeout: 60_000 },
    )
  }

  const key = computed(() => (options.active.value && options.ticketId.value ? options.ticketId.value : null))
  watch(
    key,
    (id) => {
      if (id) start(id)
      else {
        stop()
        state.value = 'off'
      }
    },
    { immediate: true },
  )
  onScopeDispose(stop)

  return { state, lastSentAt, lastError, stop }
}
