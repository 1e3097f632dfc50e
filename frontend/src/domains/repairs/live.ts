/**
 * Live ticket events of one or more communities for boards and counters. Pub/sub is at-most-once, so the screen
 * refetches on every (re)subscribe, when the browser comes back online or to the foreground, and every minute.
 */
import { onBeforeUnmount, ref } from 'vue'
import { onCommunityTicketEvents, type TicketCard } from '@/api/repairs'
import type { EventKind } from '@/graphql/generated/graphql'

/** The server allows 20 subscriptions a socket; the ticket drawer and the dashboard need some of them. */
export const MAX_LIVE_COMMUNITIES = 15
/** Refusals that retrying will not change. */
const FINAL = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'INVALID_ID'])

export interface LiveOptions {
  /** Refetch what is on screen (the board, the counts). */
  resync: () => void | Promise<void>
  onEvent?: (kind: EventKind, ticket: TicketCard) => void
  /** Safety refetch interval while the page is visible. */
  pollMs?: number
  retryMs?: number
}

export type LiveState = 'off' | 'live' | 'partial' | 'retrying'

export function useCommunityTicketEvents(options: LiveOptions) {
  const pollMs = options.pollMs ?? 60_000
  const retryMs = options.retryMs ?? 3_000
  const state = ref<LiveState>('off')
  /** Communities beyond MAX_LIVE_COMMUNITIES: followed by the periodic refetch only. */
  const unfollowed = ref(0)
  const stops = new Map<string, () => void>()
  const retries = new Map<string, ReturnType<typeof setTimeout>>()
  const failures = new Map<string, number>()
  let poll: ReturnType<typeof setInterval> | null = null
  let debounce: ReturnType<typeof setTimeout> | null = null
  let active = false

  /** Coalesce bursts (a reconnect of several subscriptions, a run of events) into one refetch. */
  function resyncSoon(delay = 250): void {
    if (debounce) clearTimeout(debounce)
    debounce = setTimeout(() => {
      debounce = null
      if (active) void options.resync()
    }, delay)
  }

  function refreshState(): void {
    if (!active) state.value = 'off'
    else if (retries.size > 0) state.value = 'retrying'
    else state.value = unfollowed.value > 0 ? 'partial' : 'live'
  }

  function follow(id: string): void {
    const stop = onCommunityTicketEvents(
      id,
      (kind, ticket) => {
        failures.delete(id)
        options.onEvent?.(kind, ticket)
      },
      (code) => {
        stops.get(id)?.()
        stops.delete(id)
        if (!active || FINAL.has(code)) return refreshState()
        const n = (failures.get(id) ?? 0) + 1
        failures.set(id, n)
        retries.set(id, setTimeout(() => {
          retries.delete(id)
          if (!active) return
          follow(id)
          resyncSoon()
          refreshState()
        }, Math.min(retryMs * 2 ** (n - 1), 60_000)))
        refreshState()
      },
    )
    stops.set(id, stop)
  }

  function onVisible(): void {
    if (document.visibilityState !== 'hidden') resyncSoon()
  }
  function onOnline(): void {
    resyncSoon()
  }

  /** Follow these communities (replacing any earlier ones) and load the current state. */
  function start(communityIds: readonly string[]): void {
    stop()
    active = true
    const ids = [...new Set(communityIds)]
    unfollowed.value = Math.max(0, ids.length - MAX_LIVE_COMMUNITIES)
    ids.slice(0, MAX_LIVE_COMMUNITIES).forEach(follow)
    window.addEventListener('online', onOnline)
    document.addEventListener('visibilitychange', onVisible)
    // More communities than sockets allow: poll faster, since some changes arrive no other way.
    poll = setInterval(() => {
      if (document.visibilityState !== 'hidden') resyncSoon(0)
    }, unfollowed.value > 0 ? Math.min(pollMs, 20_000) : pollMs)
    refreshState()
    void options.resync()
  }

  function stop(): void {
    active = false
    for (const s of stops.values()) s()
    stops.clear()
    for (const r of retries.values()) clearTimeout(r)
    retries.clear()
    failures.clear()
    if (poll) clearInterval(poll)
    poll = null
    if (debounce) clearTimeout(debounce)
    debounce = null
    window.removeEventListener('online', onOnline)
    document.removeEventListener('visibilitychange', onVisible)
    refreshState()
  }

  onBeforeUnmount(stop)
  return { state, unfollowed, start, stop, resyncSoon }
}
