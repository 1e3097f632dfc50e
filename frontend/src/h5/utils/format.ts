/**
 * Times, dates and money as the owner app shows them. The API sends UTC; a time is shown in its community's IANA
 * zone (never the phone's own), in the person's language. Money is integer cents shown in 元.
 */
import { parseTime } from '@/locales/time'
import { currentLocale, t } from '@/h5/locales'

const DEFAULT_ZONE = 'Asia/Shanghai'
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(locale: string, zone: string | null | undefined, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${zone ?? ''}|${withTime}`
  let f = formatters.get(key)
  if (!f) {
    const options: Intl.DateTimeFormatOptions = withTime
      ? { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : { year: 'numeric', month: 'short', day: 'numeric' }
    try {
      f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone || DEFAULT_ZONE })
    } catch {
      f = new Intl.DateTimeFormat(locale, { ...options, timeZone: DEFAULT_ZONE }) // not a zone this browser knows
    }
    formatters.set(key, f)
  }
  return f
}

function parsed(iso: string | null | undefined): Date | null {
  if (!iso) return null
  const at = parseTime(iso)
  return Number.isNaN(at.getTime()) ? null : at
}

/** "2026年11月22日 10:05" / "Nov 22, 2026, 10:05" in the zone given; '' for no time. */
export function formatDateTime(iso: string | null | undefined, timeZone?: string | null, locale: string = currentLocale()): string {
  const at = parsed(iso)
  return at ? formatter(locale, timeZone, true).format(at) : ''
}

/** "2026年11月22日" / "Nov 22, 2026" in the zone given; '' for no time. */
export function formatDate(iso: string | null | undefined, timeZone?: string | null, locale: string = currentLocale()): string {
  const at = parsed(iso)
  return at ? formatter(locale, timeZone, false).format(at) : ''
}

/** Integer cents as 元 with two decimals: 1250 → "¥12.50", -5 → "-¥0.05", 123456789 → "¥1,234,567.89". */
export function formatMoney(cents: number): string {
  const whole = Math.round(cents)
  const sign = whole < 0 ? '-' : ''
  const abs = Math.abs(whole)
  const yuan = Math.floor(abs / 100).toLocaleString('en-US')
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`
}

/** How long ago: "刚刚" / "just now", "3 分钟前" / "3 min ago", then hours and days; '' for no time. */
export function formatAge(iso: string | null | undefined, now: Date = new Date()): string {
  const at = parsed(iso)
  if (!at) return ''
  const seconds = Math.max(0, Math.floor((now.getTime() - at.getTime()) / 1000))
  if (seconds < 60) return t('common.age.justNow')
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return t('common.age.minutes', { n: minutes })
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return t('common.age.hours', { n: hours })
  return t('common.age.days', { n: Math.floor(hours / 24) })
}
