/** The owner app's formatters: community time zone, the person's language, cents as 元. */
import { afterEach, describe, expect, it } from 'vitest'
import { setLocale } from '@/h5/locales'
import { formatAge, formatDate, formatDateTime, formatMoney } from '@/h5/utils/format'

// 2026-11-22 02:05 UTC: 10:05 in Shanghai, 21:05 the day before in New York.
const instant = '2026-11-22T02:05:00Z'

afterEach(() => setLocale('zh-CN'))

describe('dates and times', () => {
  it('shows a UTC time in the community zone, in Chinese by default', () => {
    expect(formatDateTime(instant, 'Asia/Shanghai')).toBe('2026年11月22日 10:05')
    expect(formatDate(instant, 'Asia/Shanghai')).toBe('2026年11月22日')
    expect(formatDateTime(instant, 'America/New_York')).toBe('2026年11月21日 21:05')
    // a value without an offset is UTC
    expect(formatDateTime('2026-11-22T02:05:00', 'Asia/Shanghai')).toBe('2026年11月22日 10:05')
  })

  it('follows the language switch', () => {
    setLocale('en')
    expect(formatDateTime(instant, 'Asia/Shanghai')).toBe('Nov 22, 2026, 10:05')
    expect(formatDate(instant, 'America/New_York')).toBe('Nov 21, 2026')
  })

  it('falls back to Asia/Shanghai for an unknown zone and shows nothing for no time', () => {
    expect(formatDateTime(instant, 'Mars/Olympus')).toBe('2026年11月22日 10:05')
    expect(formatDateTime(null, 'Asia/Shanghai')).toBe('')
    expect(formatDate('not a time', 'Asia/Shanghai')).toBe('')
  })
})

describe('money', () => {
  it('shows integer cents as yuan with two decimals', () => {
    expect(formatMoney(1250)).toBe('¥12.50')
    expect(formatMoney(0)).toBe('¥0.00')
    expect(formatMoney(5)).toBe('¥0.05')
    expect(formatMoney(-5)).toBe('-¥0.05')
    expect(formatMoney(123456789)).toBe('¥1,234,567.89')
  })
})

describe('age', () => {
  const now = new Date('2026-11-22T12:00:00Z')
  it('says how long ago in the person’s language', () => {
    expect(formatAge('2026-11-22T11:59:30Z', now)).toBe('刚刚')
    expect(formatAge('2026-11-22T11:57:00Z', now)).toBe('3 分钟前')
    expect(formatAge('2026-11-22T09:00:00Z', now)).toBe('3 小时前')
    expect(formatAge('2026-11-19T12:00:00Z', now)).toBe('3 天前')
    setLocale('en')
    expect(formatAge('2026-11-22T11:57:00Z', now)).toBe('3 min ago')
    expect(formatAge('2026-11-22T11:59:30Z', now)).toBe('just now')
  })

  it('treats a time slightly in the future (clock skew) as just now, and no time as nothing', () => {
    expect(formatAge('2026-11-22T12:00:20Z', now)).toBe('刚刚')
    expect(formatAge(null, now)).toBe('')
  })
})
