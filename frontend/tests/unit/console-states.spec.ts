/** Screens that must explain themselves: status words from one place, durations in sensible units, board columns. */
import { describe, expect, it } from 'vitest'
import { messages } from '@/locales'
import { statusLabelKey, STATUSES } from '@/domains/repairs/tickets'
import { BOARD_COLUMNS, columnLabelKey } from '@/views/repairs/board'
import { ticketTiles } from '@/views/dashboard/data'
import { completionChartOption } from '@/views/repairs/technicians'
import type { TechnicianStatsRow } from '@/api/repairs'

const t = (key: string, params?: Record<string, unknown>) => (params ? `<${key}:${JSON.stringify(params)}>` : `<${key}>`)

const row = (name: string, minutes: number | null) =>
  ({
    technician: { staffMemberId: name, name, phone: '' }, completedCount: 1, ratedCount: 0, avgSpeed: null, avgQuality: null,
    avgAttitude: null, avgCompletionMinutes: minutes, slaHitRate: null,
  }) as unknown as TechnicianStatsRow

describe('one word for one status', () => {
  it('names board columns and dashboard tiles with the status’s own key', () => {
    for (const col of BOARD_COLUMNS.filter((c) => c.statuses.length === 1)) {
      expect(columnLabelKey(col)).toBe(statusLabelKey(col.statuses[0]))
    }
    for (const tile of ticketTiles.filter((x) => x.key !== 'overdue')) {
      expect(STATUSES.map(statusLabelKey)).toContain(tile.labelKey)
    }
  })

  it('calls an accepted ticket 待派单 / To dispatch in both languages', () => {
    const word = (lang: string) => (messages[lang].repairs as { status: Record<string, string> }).status.ACCEPTED
    expect(word('zh-CN')).toBe('待派单')
    expect(word('en')).toBe('To dispatch')
  })
})

describe('completion time chart', () => {
  it('plots minutes when every average is under an hour, so 1 minute is not 0 hours', () => {
    const option = completionChartOption([row('a', 1), row('b', 30)], t, false)
    expect(option.yAxis.name).toBe('<repairs.stats.minutes>')
    expect(option.series[0].data).toEqual([1, 30])
    expect(option.series[0].label.formatter({ value: 1 })).toBe('<repairs.duration.minutes:{"m":1}>')
    expect(completionChartOption([row('a', 0.3)], t, false).series[0].label.formatter({ value: 0.3 })).toBe('<repairs.duration.underMinute>')
  })

  it('plots hours once an average passes an hour, labelled in hours and minutes', () => {
    const option = completionChartOption([row('a', 1), row('b', 90), row('c', null)], t, false)
    expect(option.yAxis.name).toBe('<repairs.stats.hours>')
    expect(option.series[0].data).toEqual([0, 1.5, null])
    expect(option.series[0].label.formatter({ value: 1.5 })).toBe('<repairs.duration.hours:{"h":1,"m":30}>')
  })
})
