/** Technicians: workload rows, who to suggest for a ticket, monthly statistics and their charts. */
import type { ColumnDef } from '@/components/schema'
import type { TechnicianStatsRow, Workload } from '@/api/repairs'
import { categoryName } from '@/domains/repairs/tickets'
import { durationText } from './data'

type Translate = (key: string, params?: Record<string, unknown>) => string

export const loadOf = (w: Pick<Workload, 'assignedCount' | 'inProgressCount'>): number => w.assignedCount + w.inProgressCount

export const hasSkill = (w: Pick<Workload, 'skills'>, categoryId: string | null): boolean =>
  !!categoryId && w.skills.some((s) => s.id === categoryId)

/** Candidates for a ticket: those skilled in its category first, then the least busy, then by name. */
export function rankTechnicians(rows: readonly Workload[], categoryId: string | null): Workload[] {
  return [...rows].sort((a, b) => {
    const skill = Number(hasSkill(b, categoryId)) - Number(hasSkill(a, categoryId))
    if (skill !== 0) return skill
    const load = loadOf(a) - loadOf(b)
    return load !== 0 ? load : a.technician.name.localeCompare(b.technician.name, 'zh-CN')
  })
}

export const skillsText = (w: Pick<Workload, 'skills'>, locale: string): string => w.skills.map((s) => categoryName(s, locale)).join('、')

/** Workload as a table: rows keyed by the technician's StaffMember ID. */
export type WorkloadRow = Workload & { id: string }
export const workloadRows = (rows: readonly Workload[]): WorkloadRow[] =>
  rows.filter((r) => r.technician.staffMemberId).map((r) => ({ ...r, id: r.technician.staffMemberId ?? '' }))

export const workloadColumns = (locale: string): readonly ColumnDef<WorkloadRow>[] => [
  { prop: 'name', labelKey: 'repairs.tech.name', minWidth: 120, format: (r) => r.technician.name },
  { prop: 'phone', labelKey: 'repairs.tech.phone', width: 150, format: (r) => r.technician.phone },
  { prop: 'assignedCount', labelKey: 'repairs.tech.assigned', width: 120 },
  { prop: 'inProgressCount', labelKey: 'repairs.tech.inProgress', width: 120 },
  { prop: 'load', labelKey: 'repairs.tech.load', width: 100, format: (r) => String(loadOf(r)) },
  { prop: 'skills', labelKey: 'repairs.tech.skills', minWidth: 220, format: (r) => skillsText(r, locale) },
]

const barBase = (animation: boolean) => ({
  animation,
  tooltip: { trigger: 'axis' as const },
  legend: { top: 4, textStyle: { fontSize: 14 } },
  grid: { left: 56, right: 24, bottom: 40, top: 48 },
})

/** Assigned vs in progress per technician. */
export function workloadChartOption(rows: readonly Workload[], t: Translate, animation = true) {
  return {
    ...barBase(animation),
    xAxis: { type: 'category' as const, data: rows.map((r) => r.technician.name), axisLabel: { fontSize: 14 } },
    yAxis: { type: 'value' as const, minInterval: 1, axisLabel: { fontSize: 14 } },
    series: [
      { name: t('repairs.tech.assigned'), type: 'bar' as const, data: rows.map((r) => r.assignedCount), itemStyle: { color: '#409eff' }, barMaxWidth: 40, label: { show: true, position: 'top' as const } },
      { name: t('repairs.tech.inProgress'), type: 'bar' as const, data: rows.map((r) => r.inProgressCount), itemStyle: { color: '#2b5aa6' }, barMaxWidth: 40, label: { show: true, position: 'top' as const } },
    ],
  }
}

// ------------------------------------------------------------------------------------------------ statistics

/** The month before `at` or this one, as 2026-11 (local calendar). */
export function monthOf(at: Date, offset = 0): string {
  const d = new Date(at.getFullYear(), at.getMonth() + offset, 1)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}

export const avgText = (v: number | null): string => (v == null ? '—' : v.toFixed(2))
export const rateText = (v: number | null): string => (v == null ? '—' : `${Math.round(v * 1000) / 10}%`)

export type StatsRow = TechnicianStatsRow & { id: string }
export const statsRows = (rows: readonly TechnicianStatsRow[]): StatsRow[] =>
  rows.map((r, i) => ({ ...r, id: r.technician.staffMemberId ?? `row-${i}` }))

export const statsColumns: readonly ColumnDef<StatsRow>[] = [
  { prop: 'name', labelKey: 'repairs.tech.name', minWidth: 120, format: (r) => r.technician.name },
  { prop: 'completedCount', labelKey: 'repairs.stats.completed', minWidth: 120 },
  { prop: 'ratedCount', labelKey: 'repairs.stats.rated', minWidth: 100 },
  { prop: 'avgSpeed', labelKey: 'repairs.stats.speed', minWidth: 100, format: (r) => avgText(r.avgSpeed) },
  { prop: 'avgQuality', labelKey: 'repairs.stats.quality', minWidth: 100, format: (r) => avgText(r.avgQuality) },
  { prop: 'avgAttitude', labelKey: 'repairs.stats.attitude', minWidth: 100, format: (r) => avgText(r.avgAttitude) },
  { prop: 'avgCompletionMinutes', labelKey: 'repairs.stats.completionTime', minWidth: 150, format: (r, t) => durationText(r.avgCompletionMinutes, t) },
  { prop: 'slaHitRate', labelKey: 'repairs.stats.slaHitRate', width: 130, format: (r) => rateText(r.slaHitRate) },
]

const names = (rows: readonly TechnicianStatsRow[]) => rows.map((r) => r.technician.name)
const axis = { type: 'category' as const, axisLabel: { fontSize: 14 } }

/** Average speed, quality and attitude per technician (1–5). */
export function ratingsChartOption(rows: readonly TechnicianStatsRow[], t: Translate, animation = true) {
  const series = (key: 'avgSpeed' | 'avgQuality' | 'avgAttitude', label: string, color: string) => ({
    name: t(label), type: 'bar' as const, data: rows.map((r) => r[key]), itemStyle: { color }, barMaxWidth: 28,
  })
  return {
    ...barBase(animation),
    title: { text: t('repairs.stats.ratingsChart'), left: 'center', bottom: 0, textStyle: { fontSize: 15 } },
    grid: { left: 40, right: 16, bottom: 64, top: 48 },
    xAxis: { ...axis, data: names(rows) },
    yAxis: { type: 'value' as const, min: 0, max: 5, interval: 1 },
    series: [
      series('avgSpeed', 'repairs.stats.speed', '#409eff'),
      series('avgQuality', 'repairs.stats.quality', '#67c23a'),
      series('avgAttitude', 'repairs.stats.attitude', '#e6a23c'),
    ],
  }
}

/** SLA hit rate per technician, in percent. */
export function slaChartOption(rows: readonly TechnicianStatsRow[], t: Translate, animation = true) {
  return {
    ...barBase(animation),
    title: { text: t('repairs.stats.slaChart'), left: 'center', bottom: 0, textStyle: { fontSize: 15 } },
    grid: { left: 48, right: 16, bottom: 64, top: 32 },
    legend: { show: false },
    xAxis: { ...axis, data: names(rows) },
    yAxis: { type: 'value' as const, min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{
      name: t('repairs.stats.slaHitRate'), type: 'bar' as const, barMaxWidth: 40, itemStyle: { color: '#67c23a' },
      data: rows.map((r) => (r.slaHitRate == null ? null : Math.round(r.slaHitRate * 1000) / 10)),
      label: { show: true, position: 'top' as const, formatter: '{c}%' },
    }],
  }
}

/**
 * Average time from report to completion per technician: in minutes while every average is under an hour (a
 * 1-minute average must not show as 0 hours), else in hours; each bar is labelled "1 h 30 min".
 */
export function completionChartOption(rows: readonly TechnicianStatsRow[], t: Translate, animation = true) {
  const longest = Math.max(0, ...rows.map((r) => r.avgCompletionMinutes ?? 0))
  const perUnit = longest < 60 ? 1 : 60
  return {
    ...barBase(animation),
    title: { text: t('repairs.stats.completionChart'), left: 'center', bottom: 0, textStyle: { fontSize: 15 } },
    grid: { left: 48, right: 16, bottom: 64, top: 32 },
    legend: { show: false },
    tooltip: { trigger: 'axis' as const, valueFormatter: (v: unknown) => (typeof v === 'number' ? durationText(v * perUnit, t) : '—') },
    xAxis: { ...axis, data: names(rows) },
    yAxis: { type: 'value' as const, min: 0, name: t(perUnit === 1 ? 'repairs.stats.minutes' : 'repairs.stats.hours') },
    series: [{
      name: t('repairs.stats.completionTime'), type: 'bar' as const, barMaxWidth: 40, itemStyle: { color: '#2b5aa6' },
      data: rows.map((r) => (r.avgCompletionMinutes == null ? null : Math.round((r.avgCompletionMinutes / perUnit) * 10) / 10)),
      label: {
        show: true, position: 'top' as const,
        formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? durationText(p.value * perUnit, t) : ''),
      },
    }],
  }
}
