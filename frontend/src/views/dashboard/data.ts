/** Dashboard: the figure cards and the chart's option. */
import type { CommunityCount, DashboardFigures, TicketCounts } from '@/api/dashboard'
import { statusLabelKey } from '@/domains/repairs/tickets'

export interface StatCard {
  key: string
  labelKey: string
  icon: string
  /** The figure, or null when the caller's role may not see it. */
  value: (d: DashboardFigures) => string | null
  /** Why a null figure is not shown, in words. */
  deniedKey?: string
}

export const statCards: readonly StatCard[] = [
  { key: 'communities', labelKey: 'dashboard.communities', icon: 'OfficeBuilding', value: (d) => String(d.communityCount) },
  { key: 'units', labelKey: 'dashboard.units', icon: 'House', value: (d) => String(d.unitCount) },
  { key: 'occupancy', labelKey: 'dashboard.occupancy', icon: 'PieChart', value: (d) => `${Math.round(d.occupancyRate * 1000) / 10}%` },
  { key: 'owners', labelKey: 'dashboard.owners', icon: 'User', value: (d) => (d.ownerCount == null ? null : String(d.ownerCount)), deniedKey: 'dashboard.denied.owners' },
  {
    key: 'pending', labelKey: 'dashboard.pending', icon: 'Stamp',
    value: (d) => (d.pendingBindingCount == null ? null : String(d.pendingBindingCount)), deniedKey: 'dashboard.denied.pending',
  },
]

/** Bar chart of units per community. */
export function unitsChartOption(rows: readonly CommunityCount[], title: string, animation = true) {
  return {
    animation,
    title: { text: title, left: 'center', textStyle: { fontSize: 18 } },
    tooltip: { trigger: 'axis' as const },
    grid: { left: 48, right: 24, bottom: 48, top: 56 },
    xAxis: { type: 'category' as const, data: rows.map((r) => r.name), axisLabel: { fontSize: 14 } },
    yAxis: { type: 'value' as const, minInterval: 1, axisLabel: { fontSize: 14 } },
    series: [{ type: 'bar' as const, data: rows.map((r) => r.unitCount), itemStyle: { color: '#3a7bd5' }, barMaxWidth: 56, label: { show: true, position: 'top' as const, fontSize: 14 } }],
  }
}

/** Open tickets by status: the tiles of the repairs card, each linking to the board or list it counts. */
export interface TicketTile {
  key: keyof TicketCounts
  labelKey: string
  color: string
  /** Where a click goes: the list filtered to these tickets. */
  query: Record<string, string>
}

export const ticketTiles: readonly TicketTile[] = [
  { key: 'submitted', labelKey: statusLabelKey('SUBMITTED'), color: '#f56c6c', query: { status: 'SUBMITTED' } },
  { key: 'accepted', labelKey: statusLabelKey('ACCEPTED'), color: '#e6a23c', query: { status: 'ACCEPTED' } },
  { key: 'assigned', labelKey: statusLabelKey('ASSIGNED'), color: '#409eff', query: { status: 'ASSIGNED' } },
  { key: 'inProgress', labelKey: statusLabelKey('IN_PROGRESS'), color: '#2b5aa6', query: { status: 'IN_PROGRESS' } },
  { key: 'overdue', labelKey: 'dashboard.ticketsOverdue', color: '#c45656', query: { overdue: 'true' } },
]

/** Open tickets (the overdue tile overlaps the others, so it is not added). */
export const openTotal = (c: TicketCounts): number => c.submitted + c.accepted + c.assigned + c.inProgress

/** Horizontal bars of open tickets per status. */
export function ticketsChartOption(counts: TicketCounts | null, t: (key: string) => string, animation = true) {
  const tiles = ticketTiles.filter((tile) => tile.key !== 'overdue')
  return {
    animation,
    tooltip: { trigger: 'axis' as const },
    grid: { left: 96, right: 40, bottom: 16, top: 8 },
    xAxis: { type: 'value' as const, minInterval: 1, axisLabel: { fontSize: 13 } },
    yAxis: { type: 'category' as const, inverse: true, data: tiles.map((tile) => t(tile.labelKey)), axisLabel: { fontSize: 14 } },
    series: [{
      type: 'bar' as const, barMaxWidth: 22, label: { show: true, position: 'right' as const, fontSize: 14 },
      data: tiles.map((tile) => ({ value: counts ? counts[tile.key] : 0, itemStyle: { color: tile.color } })),
    }],
  }
}
