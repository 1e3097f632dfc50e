/** Dashboard: the figure cards and the chart's option. */
import type { CommunityCount, DashboardFigures } from '@/api/dashboard'

export interface StatCard {
  key: string
  labelKey: string
  icon: string
  value: (d: DashboardFigures) => string
}

export const statCards: readonly StatCard[] = [
  { key: 'communities', labelKey: 'dashboard.communities', icon: 'OfficeBuilding', value: (d) => String(d.communityCount) },
  { key: 'units', labelKey: 'dashboard.units', icon: 'House', value: (d) => String(d.unitCount) },
  { key: 'occupancy', labelKey: 'dashboard.occupancy', icon: 'PieChart', value: (d) => `${Math.round(d.occupancyRate * 1000) / 10}%` },
  { key: 'owners', labelKey: 'dashboard.owners', icon: 'User', value: (d) => (d.ownerCount == null ? '—' : String(d.ownerCount)) },
  { key: 'pending', labelKey: 'dashboard.pending', icon: 'Stamp', value: (d) => (d.pendingBindingCount == null ? '—' : String(d.pendingBindingCount)) },
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
