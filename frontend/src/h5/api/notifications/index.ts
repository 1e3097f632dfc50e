/** The owner's inbox: pages of messages, the unread count, marking read. */
import * as G from '@/graphql/generated/graphql'
import { mutate, query } from '@/h5/graphql/request'

export type H5Notification = G.H5NotificationItemFragment

export const PAGE_SIZE = 20

export async function fetchNotifications(after: string | null, first = PAGE_SIZE) {
  const data = await query(G.H5NotificationsDocument, { first, after })
  if (!data) return null
  return { items: data.notifications.nodes, pageInfo: data.notifications.pageInfo, unread: data.unreadNotificationCount }
}

export const fetchUnreadCount = async (): Promise<number | null> => (await query(G.H5UnreadCountDocument, {}))?.unreadNotificationCount ?? null

export const markRead = (ids: string[]) => mutate(G.H5NotificationMarkReadDocument, { ids }, (d) => d.notificationMarkRead)

export const markAllRead = () => mutate(G.H5NotificationMarkAllReadDocument, {}, (d) => d.notificationMarkAllRead)
