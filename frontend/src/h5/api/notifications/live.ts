/**
 * The inbox kept live while the app is open: the unread count is fetched when a session starts (pub/sub can drop
 * messages, so the current state comes first) and then follows notificationEvents; screens listen for new messages.
 */
import * as G from '@/graphql/generated/graphql'
import { subscribe } from '@/h5/graphql/request'
import { fetchUnreadCount, type H5Notification } from './index'

type Listener = (notification: H5Notification) => void
const listeners = new Set<Listener>()

/** Hear each new message while subscribed; returns the function that stops listening. */
export function onNotification(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Start following the caller's inbox; `setUnread` receives every new count. Returns the function that stops it. */
export function watchInbox(setUnread: (count: number) => void): () => void {
  let stopped = false
  void fetchUnreadCount().then((count) => {
    if (!stopped && count !== null) setUnread(count)
  })
  const stop = subscribe(G.H5NotificationEventsDocument, {}, (data) => {
    const { unreadCount, notification } = data.notificationEvents
    setUnread(unreadCount)
    // No message: others were marked read (here or on another device), only the count changed.
    if (notification) for (const listener of listeners) listener(notification)
  })
  return () => {
    stopped = true
    stop()
  }
}
