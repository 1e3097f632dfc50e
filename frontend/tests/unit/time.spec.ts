import { afterEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_ZONE, displayZone, displayZoneOf, formatClock, formatDate, formatDateTime, formatShort, knownZone, parseTime,
  setDisplayZone, zonedToUtc,
} from '@/locales/time'
import { toAuditFilter } from '@/views/audit/data'

// 2026-11-22 02:05 UTC
const instant = '2026-11-22T02:05:00Z'

afterEach(() => setDisplayZone(null))

describe('reading API times', () => {
  it('reads a value without an offset as UTC', () => {
    expect(parseTime('2026-11-22T02:00:00').getTime()).toBe(Date.UTC(2026, 10, 22, 2, 0))
    expect(parseTime('2026-11-22T10:00:00+08:00').getTime()).toBe(Date.UTC(2026, 10, 22, 2, 0))
    expect(parseTime('2026-11-22T02:00:00.123456+00:00').getTime()).toBe(Date.UTC(2026, 10, 22, 2, 0, 0, 123))
  })
})

describe('showing times', () => {
  it('shows a UTC instant in Asia/Shanghai (+8) by default', () => {
    expect(displayZone.value).toBe(DEFAULT_ZONE)
    expect(formatDateTime(instant)).toBe('2026-11-22 10:05')
    expect(formatDate(instant)).toBe('2026-11-22')
    expect(formatClock(instant)).toBe('10:05')
    expect(formatShort(instant, null, new Date(instant))).toBe('11-22 10:05')
    // late evening UTC is already the next day in Shanghai
    expect(formatDateTime('2026-12-31T16:30:00Z')).toBe('2027-01-01 00:30')
    expect(formatDateTime('2026-11-22T02:05:00')).toBe('2026-11-22 10:05')
  })

  it('shows it in the zone it is given', () => {
    expect(formatDateTime(instant, 'Asia/Urumqi')).toBe('2026-11-22 08:05')
    expect(formatDateTime(instant, 'UTC')).toBe('2026-11-22 02:05')
    expect(formatDateTime(instant, 'America/New_York')).toBe('2026-11-21 21:05')
    expect(formatDate(instant, 'America/New_York')).toBe('2026-11-21')
  })

  it('follows summer time in the zone (Europe/London, 29 March 2026)', () => {
    expect(formatDateTime('2026-03-28T12:00:00Z', 'Europe/London')).toBe('2026-03-28 12:00')
    expect(formatDateTime('2026-03-29T12:00:00Z', 'Europe/London')).toBe('2026-03-29 13:00')
    // the hour that does not exist locally: 00:59 GMT is followed by 02:00 BST
    expect(formatClock('2026-03-29T00:59:00Z', 'Europe/London')).toBe('00:59')
    expect(formatClock('2026-03-29T01:00:00Z', 'Europe/London')).toBe('02:00')
  })

  it('gives midnight as 00, not 24', () => {
    expect(formatClock('2026-11-21T16:00:00Z')).toBe('00:00')
  })

  it('gives the short form, with the year when it is not this year there', () => {
    const now = new Date(Date.UTC(2026, 5, 1))
    expect(formatShort(instant, 'Asia/Shanghai', now)).toBe('11-22 10:05')
    expect(formatShort('2027-01-02T00:30:00Z', 'Asia/Shanghai', now)).toBe('2027-01-02 08:30')
    // 31 Dec 20:00 UTC is 1 Jan in Shanghai: "now" at that instant is already next year there
    const newYear = new Date(Date.UTC(2026, 11, 31, 20))
    expect(formatShort('2026-12-31T20:00:00Z', 'Asia/Shanghai', newYear)).toBe('01-01 04:00')
    expect(formatShort('2026-12-31T20:00:00Z', 'Europe/London', newYear)).toBe('12-31 20:00')
  })

  it("gives '' for no time or an unreadable one", () => {
    for (const value of [null, undefined, '', 'not a time']) {
      expect(formatDateTime(value)).toBe('')
      expect(formatShort(value)).toBe('')
      expect(formatDate(value)).toBe('')
      expect(formatClock(value)).toBe('')
    }
  })

  it('uses the display zone when an unknown zone is given', () => {
    expect(knownZone('Mars/Olympus_Mons')).toBeNull()
    expect(knownZone('Asia/Urumqi')).toBe('Asia/Urumqi')
    expect(formatDateTime(instant, 'Mars/Olympus_Mons')).toBe('2026-11-22 10:05')
    setDisplayZone('Europe/London')
    expect(formatDateTime(instant, 'Mars/Olympus_Mons')).toBe('2026-11-22 02:05')
  })
})

describe('the display zone', () => {
  const communities = [
    { id: 'C1', timezone: 'Asia/Urumqi' },
    { id: 'C2', timezone: 'Europe/London' },
  ]

  it("is the chosen community's zone, else the first community's, else Asia/Shanghai", () => {
    expect(displayZoneOf(communities, 'C2')).toBe('Europe/London')
    expect(displayZoneOf(communities, null)).toBe('Asia/Urumqi')
    expect(displayZoneOf(communities, 'gone')).toBe('Asia/Urumqi')
    expect(displayZoneOf([], null)).toBe('Asia/Shanghai')
    expect(displayZoneOf([{ id: 'C3', timezone: '' }], 'C3')).toBe('Asia/Shanghai')
  })

  it('is what times without a zone of their own are shown in', () => {
    setDisplayZone(displayZoneOf(communities, 'C2'))
    expect(formatDateTime(instant)).toBe('2026-11-22 02:05')
    setDisplayZone('no such zone')
    expect(displayZone.value).toBe('Asia/Shanghai')
    expect(formatDateTime(instant)).toBe('2026-11-22 10:05')
  })
})

describe('sending times typed in', () => {
  it('reads a picked wall-clock time in the display zone', () => {
    expect(zonedToUtc('2026-11-22T10:05:00')).toBe('2026-11-22T02:05:00.000Z')
    expect(zonedToUtc('2026-11-22 10:05')).toBe('2026-11-22T02:05:00.000Z')
    setDisplayZone('Asia/Urumqi')
    expect(zonedToUtc('2026-11-22T10:05:00')).toBe('2026-11-22T04:05:00.000Z')
  })

  it('reads it in the zone it is given, on both sides of a summer-time change', () => {
    expect(zonedToUtc('2026-03-28T12:00:00', 'Europe/London')).toBe('2026-03-28T12:00:00.000Z')
    expect(zonedToUtc('2026-03-29T12:00:00', 'Europe/London')).toBe('2026-03-29T11:00:00.000Z')
    expect(zonedToUtc('2026-10-25T12:00:00', 'Europe/London')).toBe('2026-10-25T12:00:00.000Z')
    expect(zonedToUtc('2026-03-08T12:00:00', 'America/New_York')).toBe('2026-03-08T16:00:00.000Z')
  })

  it('round-trips with the formatter', () => {
    for (const zone of ['Asia/Shanghai', 'Europe/London', 'America/New_York', 'Asia/Kolkata']) {
      const shown = formatDateTime('2026-07-04T18:45:00Z', zone)
      expect(zonedToUtc(shown, zone)).toBe('2026-07-04T18:45:00.000Z')
    }
  })

  it('gives null for nothing or something else', () => {
    expect(zonedToUtc(null)).toBeNull()
    expect(zonedToUtc('')).toBeNull()
    expect(zonedToUtc('22/11/2026 10:05')).toBeNull()
  })

  it("filters the audit log by the range as read in the console's zone", () => {
    const filter = toAuditFilter({ action: '', targetType: '', range: ['2026-11-22T00:00:00', '2026-11-22T23:59:59'] })
    expect(filter.since).toBe('2026-11-21T16:00:00.000Z')
    expect(filter.until).toBe('2026-11-22T15:59:59.000Z')
  })
})
