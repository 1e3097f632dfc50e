/** Dashboard figures (the `dashboard` query), units per community for the chart, and open tickets by status. */
import * as G from '@/graphql/generated/graphql'
import { query } from '@/graphql/request'

export type CommunityCount = G.DashboardCommunitiesQuery['communities']['nodes'][number]
export type DashboardFigures = G.DashboardQuery['dashboard']
export type TicketCounts = Record<keyof G.DashboardTicketCountsQuery, number>

export const fetchDashboard = async (communityId: string | null) => (await query(G.DashboardDocument, { communityId }))?.dashboard ?? null
export const communityCounts = async () => (await query(G.DashboardCommunitiesDocument, {}))?.communities.nodes ?? null

export async function ticketCounts(communityId: string | null): Promise<TicketCounts | null> {
  const d = await query(G.DashboardTicketCountsDocument, { communityId })
  if (!d) return null
  return {
    submitted: d.submitted.totalCount, accepted: d.accepted.totalCount, assigned: d.assigned.totalCount,
    inProgress: d.inProgress.totalCount, overdue: d.overdue.totalCount,
  }
}
