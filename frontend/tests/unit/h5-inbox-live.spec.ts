/** The inbox followed live: current count first, then every event's count; new messages reach the listeners. */
import { describe, expect, it, vi } from 'vitest'

const events = vi.hoisted(() => ({ emit: null as ((d: unknown) => void) | null, stopped: 0, count: 4 as number | null }))

vi.mock('@/h5/graphql/request', () => ({
  subscribe: (_doc: unknown, _vars: unknown, onData: (d: unknown) => void) => {
    events.emit = onData
    return () => {
      events.stopped += 1
    }
  },
  query: async () => (events.count === null ? null : { unreadNotificationCount: events.count }),
  mutate: async () => ({ ok: true, payload: { errors: [] } }),
}))

const { watchInbox, onNotification } = await import('@/h5/api/notifications/live')

const message = (id: string) => ({
  id, kind: 'ticket.created', title: '报修已提交', titleEn: 'Submitted', body: 'b', bodyEn: 'b', targetId: 'T1', readAt: null,
  createdAt: '2026-11-22T02:05:00Z', __typename: 'Notification',
})
const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('watchInbox', () => {
  it('starts from the current count, then follows events; a count-only event reaches no listener', async () => {
    const counts: number[] = []
    const heard: string[] = []
    const stopListening = onNotification((n) => heard.push(n.id))
    const stop = watchInbox((c) => counts.push(c))
    await flush()
    expect(counts).toEqual([4])

    events.emit?.({ notificationEvents: { unreadCount: 5, notification: message('N1') } })
    events.emit?.({ notificationEvents: { unreadCount: 0, notification: null } }) // read on another device
    expect(counts).toEqual([4, 5, 0])
    expect(heard).toEqual(['N1'])

    stopListening()
    events.emit?.({ notificationEvents: { unreadCount: 1, notification: message('N2') } })
    expect(heard).toEqual(['N1'])
    stop()
    expect(events.stopped).toBe(1)
  })

  it('ignores a count that arrives after it was stopped, and a failed first fetch', async () => {
    const counts: number[] = []
    const stop = watchInbox((c) => counts.push(c))
    stop()
    await flush()
    expect(counts).toEqual([])
    events.count = null
    const again = watchInbox((c) => counts.push(c))
    await flush()
    expect(counts).toEqual([])
    again()
  })
})
