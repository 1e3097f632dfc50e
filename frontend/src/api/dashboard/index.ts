/** Dashboard figures (the `dashboard` query) and units per community for the chart. */
import * as G from '@/graphql/generated/graphql'
import { query } from '@/graphql/request'

export type CommunityCount = G.DashboardCommunitiesQuery['communities']['nodes'][number]
export type DashboardFigures = G.DashboardQuery['dashboard']

export const fetchDashboard = async (communityId: string | null) => (await query(G.DashboardDocument, { communityId }))?.dashboard ?? null
export const communityCounts = async () => (await query(G.DashboardCommunitiesDocument, {}))?.communities.nodes ?? null
