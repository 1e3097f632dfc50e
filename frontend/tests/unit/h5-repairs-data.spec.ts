import { describe, expect, it } from 'vitest'
import {
  canCall, canCancel, canRate, canReopen, categoryIcon, formatDistance, nextDates, reopenDeadline, SLOTS, slotPassed,
  stepIndex, tabStatuses, todayIn, windowToUtc,
} from '@/h5/views/repairs/data'
import { fitWithin, MAX_VIDEO_BYTES, videoRefusal } from '@/h5/views/repairs/media'
import { i18n, t } from '@/h5/locales'

const slot = (key: string) => SLOTS.find((s) => s.key === key)!

describe('photo sizing before upload', () => {
  it('shrinks the long side to 1600 px and keeps the shape', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 })
    expect(fitWithin(3024, 4032)).toEqual({ width: 1200, height: 1600 })
    expect(fitWithin(8000, 10)).toEqual({ width: 1600, height: 2 })
  })

  it('never enlarges a small photo and never makes a side of 0', () => {
    expect(fitWithin(640, 480)).toEqual({ width: 640, height: 480 })
    expect(fitWithin(1600, 900)).toEqual({ width: 1600, height: 900 })
    expect(fitWithin(20000, 1)).toEqual({ width: 1600, height: 1 })
  })
})

describe('video checks before upload', () => {
  it('refuses what the server would refuse', () => {
    expect(videoRefusal({ type: 'video/mp4', size: 1024 })).toBeNull()
    expect(videoRefusal({ type: 'video/quicktime', size: MAX_VIDEO_BYTES })).toBeNull()
    expect(videoRefusal({ type: 'video/mp4', size: MAX_VIDEO_BYTES + 1 })).toBe('videoTooLarge')
    expect(videoRefusal({ type: 'video/webm', size: 10 })).toBe('videoType')
  })
})

describe('appointment window in the community zone', () => {
  it('converts a Shanghai wall-clock slot to UTC', () => {
    expect(windowToUtc('2026-12-02', slot('morning'), 'Asia/Shanghai')).toEqual({
      start: '2026-12-02T00:00:00.000Z', end: '2026-12-02T02:00:00.000Z',
    })
  })

  it('follows daylight saving time in zones that have it', () => {
    // New York: UTC-5 in winter, UTC-4 in summer.
    expect(windowToUtc('2026-01-15', slot('afternoon'), 'America/New_York')?.start).toBe('2026-01-15T19:00:00.000Z')
    expect(windowToUtc('2026-07-15', slot('afternoon'), 'America/New_York')?.start).toBe('2026-07-15T18:00:00.000Z')
  })

  it("takes today's date from the community's zone, not the phone's", () => {
    // 17:30 UTC on 1 Dec is already 2 Dec, 01:30 in Shanghai.
    const now = new Date('2026-12-01T17:30:00Z')
    expect(todayIn('Asia/Shanghai', now)).toBe('2026-12-02')
    expect(todayIn('Europe/London', now)).toBe('2026-12-01')
    expect(nextDates('Asia/Shanghai', 3, now)).toEqual(['2026-12-02', '2026-12-03', '2026-12-04'])
    expect(nextDates('Asia/Shanghai', 2, new Date('2026-12-31T12:00:00Z'))).toEqual(['2026-12-31', '2027-01-01'])
  })

  it('offers only slots that have not begun', () => {
    const now = new Date('2026-12-02T02:30:00Z') // 10:30 in Shanghai
    expect(slotPassed('2026-12-02', slot('morning'), 'Asia/Shanghai', now)).toBe(true)
    expect(slotPassed('2026-12-02', slot('lateMorning'), 'Asia/Shanghai', now)).toBe(true)
    expect(slotPassed('2026-12-02', slot('afternoon'), 'Asia/Shanghai', now)).toBe(false)
    expect(slotPassed('2026-12-03', slot('morning'), 'Asia/Shanghai', now)).toBe(false)
  })
})

describe('reopen window', () => {
  const completedAt = '2026-11-20T08:00:00Z'

  it('is open for 7 days after completion, then the button goes', () => {
    const ticket = { status: 'COMPLETED' as const, completedAt, rating: null }
    expect(reopenDeadline(ticket)?.toISOString()).toBe('2026-11-27T08:00:00.000Z')
    expect(canReopen(ticket, new Date('2026-11-27T07:59:59Z'))).toBe(true)
    expect(canReopen(ticket, new Date('2026-11-27T08:00:00Z'))).toBe(true)
    expect(canReopen(ticket, new Date('2026-11-27T08:00:01Z'))).toBe(false)
  })

  it('counts from the rating when it came later, as the server does', () => {
    const ticket = { status: 'RATED' as const, completedAt, rating: { ratedAt: '2026-11-22T08:00:00Z' } }
    expect(canReopen(ticket, new Date('2026-11-28T08:00:00Z'))).toBe(true)
    expect(canReopen(ticket, new Date('2026-11-29T08:00:01Z'))).toBe(false)
  })

  it('is never offered outside completed or rated', () => {
    const now = new Date('2026-11-21T00:00:00Z')
    for (const status of ['CLOSED', 'IN_PROGRESS', 'CANCELLED', 'REJECTED'] as const) {
      expect(canReopen({ status, completedAt, rating: null }, now)).toBe(false)
    }
    expect(canReopen({ status: 'COMPLETED', completedAt: null, rating: null }, now)).toBe(false)
  })
})

describe('what each status allows', () => {
  it('follows the transition table', () => {
    expect(['SUBMITTED', 'ACCEPTED', 'ASSIGNED'].every((s) => canCancel(s as never))).toBe(true)
    expect(['IN_PROGRESS', 'COMPLETED', 'RATED', 'CLOSED'].some((s) => canCancel(s as never))).toBe(false)
    expect(canCall('ASSIGNED') && canCall('IN_PROGRESS')).toBe(true)
    expect(canCall('COMPLETED') || canCall('SUBMITTED')).toBe(false)
    expect(canRate({ status: 'COMPLETED', rating: null })).toBe(true)
    expect(canRate({ status: 'COMPLETED', rating: { speed: 5 } })).toBe(false)
    expect(canRate({ status: 'RATED', rating: null })).toBe(false)
  })

  it('puts each status on its step and in its tab', () => {
    expect(stepIndex('SUBMITTED')).toBe(0)
    expect(stepIndex('IN_PROGRESS')).toBe(3)
    expect(stepIndex('CLOSED')).toBe(5)
    expect(stepIndex('CANCELLED')).toBe(-1)
    expect(tabStatuses('all')).toBeNull()
    expect(tabStatuses('toRate')).toEqual(['COMPLETED'])
    expect(tabStatuses('active')).not.toContain('COMPLETED')
    expect(tabStatuses('done')).toEqual(expect.arrayContaining(['RATED', 'CLOSED', 'REJECTED', 'CANCELLED']))
  })

  it('gives the default categories their own icons', () => {
    const icons = [['水电', 'Water and power'], ['门窗', 'Doors and windows'], ['电梯', 'Elevator'], ['公共设施', 'Public facilities'], ['其他', 'Other']]
      .map(([name, nameEn]) => categoryIcon({ name, nameEn }))
    expect(new Set(icons).size).toBe(5)
    expect(categoryIcon({ name: '绿化', nameEn: 'Gardens' })).toBe('setting-o')
  })
})

describe('technician distance as people say it', () => {
  it('speaks metres and kilometres in both languages', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(formatDistance(347, t)).toBe('约 350 米')
    expect(formatDistance(3, t)).toBe('约 10 米')
    expect(formatDistance(1234, t)).toBe('约 1.2 公里')
    expect(formatDistance(15_600, t)).toBe('约 16 公里')
    expect(formatDistance(null, t)).toBe('')
    i18n.global.locale.value = 'en'
    expect(formatDistance(1234, t)).toBe('about 1.2 km')
    expect(formatDistance(980, t)).toBe('about 980 m')
    i18n.global.locale.value = 'zh-CN'
  })
})
