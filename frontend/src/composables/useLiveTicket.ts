/**
 * One ticket kept current (the staff drawer, the phone view): fetched, then followed through ticketUpdates (which
 * sends the ticket first on every (re)subscribe), resubscribed with back-off when the socket fails, and refetched
 * when the page comes back into view or online.
 */
import { onScopeDispose, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'

const FINAL = new Set(['NOT_FOUND', 'FORBIDDEN', 'INVALID_ID', 'UNAUTHENTICATED'])

export interface LiveTicketSource<T> {
  /** The ticket now: null when it is not there (or not the caller's to see), undefined when the request failed. */
  fetch: (id: string) => Promise<T | null | undefined>
  /** Follow it (the first message is its current state); returns the function that stops following. */
  follow: (id: string, next: (ticket: T) => void, failed: (code: string) => void) => () => void
}

export function useLiveTicket<T extends { id: string }>(id: Ref<string>, source: LiveTicketSource<T>) {
  const ticket: ShallowRef<T | null> = shallowRef(null)
  /** Not there, or no longer ours to see (grabbed by someone else, reassigned). */
  const missing = ref(false)
  let stopLive: (() => void) | null = null
  let retry: ReturnType<typeof setTimeout> | null = null

  function stopFollowing(): void {
    stopLive?.()
    stopLive = null
    if (retry) clearTimeout(retry)
    retry = null
  }

  function follow(target: string, attempt = 0): void {
    stopLive = source.follow(
      target,
      (next) => {
        if (id.value !== target) return
        attempt = 0
        ticket.value = next
        missing.value = false
      },
      (code) => {
        if (id.value !== target) return
        stopLive = null
        if (FINAL.has(code)) {
          // Refused now: the ticket left the technician's view (or never was in it).
          void refetch()
          return
        }
        retry = setTimeout(() => {
          retry = null
          follow(target, attempt + 1)
        }, Math.min(3000 * 2 ** attempt, 60_000))
      },
    )
  }

  async function refetch(): Promise<void> {
    const target = id.value
    const fresh = await source.fetch(target)
    if (id.value !== target || fresh === undefined) return // a failed request keeps what is on screen
    ticket.value = fresh
    missing.value = !fresh
  }

  /** A mutation's answer: the ticket as it is now. */
  function set(next: T): void {
    if (next.id === id.value) ticket.value = next
  }

  function onVisible(): void {
    if (document.visibilityState === 'visible') void refetch()
  }

  watch(
    id,
    (target) => {
      stopFollowing()
      ticket.value = null
      missing.value = false
      if (!target) return
      void refetch()
      follow(target)
    },
    { immediate: true },
  )
  document.addEventListener('visibilitychange', onVisible)
  window.addEventListener('online', onVisible)
  onScopeDispose(() => {
    stopFollowing()
    document.removeEventListener('visibilitychange', onVisible)
    window.removeEventListener('online', onVisible)
  })

  return { ticket, missing, refetch, set }
}
