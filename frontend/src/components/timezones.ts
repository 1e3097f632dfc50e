/** Time zones for TimeZoneSelect: the common ones first, then every IANA zone the browser knows, with search words. */

/** The zones communities use most, in this order; each with words people type to find it. */
export const COMMON_ZONES: readonly { zone: string; words: string }[] = [
  { zone: 'Asia/Shanghai', words: '北京 上海 中国 大陆 beijing shanghai china prc cst 东八区' },
  { zone: 'Asia/Hong_Kong', words: '香港 hong kong hongkong hk' },
  { zone: 'Asia/Taipei', words: '台北 台湾 taipei taiwan' },
  { zone: 'Asia/Macau', words: '澳门 macau macao' },
  { zone: 'Asia/Singapore', words: '新加坡 singapore' },
  { zone: 'Asia/Kuala_Lumpur', words: '吉隆坡 马来西亚 kuala lumpur malaysia' },
  { zone: 'Asia/Tokyo', words: '东京 日本 tokyo japan' },
  { zone: 'Asia/Seoul', words: '首尔 韩国 seoul korea' },
  { zone: 'Asia/Bangkok', words: '曼谷 泰国 bangkok thailand' },
  { zone: 'Asia/Ho_Chi_Minh', words: '胡志明 越南 saigon vietnam' },
  { zone: 'Asia/Jakarta', words: '雅加达 印尼 jakarta indonesia' },
  { zone: 'Asia/Manila', words: '马尼拉 菲律宾 manila philippines' },
  { zone: 'Asia/Dubai', words: '迪拜 阿联酋 dubai uae' },
  { zone: 'Europe/London', words: '伦敦 英国 london uk britain' },
  { zone: 'America/New_York', words: '纽约 美国东部 new york usa eastern' },
  { zone: 'America/Los_Angeles', words: '洛杉矶 美国西部 los angeles usa pacific' },
  { zone: 'Australia/Sydney', words: '悉尼 澳大利亚 sydney australia' },
  { zone: 'UTC', words: '协调世界时 utc gmt' },
]

export interface ZoneOption {
  zone: string
  /** The zone's name in the console's language, e.g. 中国标准时间 / China Standard Time. */
  name: string
  /** e.g. UTC+08:00 */
  offset: string
  common: boolean
  /** Lower-cased text searched: zone, name, offset and the common zones' words. */
  search: string
}

/** Every zone the browser knows (Intl), plus the common ones (a browser may lack UTC or use older names). */
export function allZones(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return [...new Set([...COMMON_ZONES.map((z) => z.zone), ...known])]
}

function describe(zone: string, locale: string, at: Date): { name: string; offset: string } {
  try {
    const part = (timeZoneName: 'longGeneric' | 'longOffset'): string =>
      new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? ''
    const offset = part('longOffset').replace(/^GMT/, 'UTC') || 'UTC'
    return { name: part('longGeneric') || zone, offset: offset === 'UTC' ? 'UTC+00:00' : offset }
  } catch {
    return { name: zone, offset: '' }
  }
}

const cache = new Map<string, ZoneOption[]>()

/** The options in the console's language: common zones first (in COMMON_ZONES order), then the rest by name. */
export function zoneOptions(locale: string, at: Date = new Date()): ZoneOption[] {
  const hit = cache.get(locale)
  if (hit) return hit
  const words = new Map(COMMON_ZONES.map((z) => [z.zone, z.words]))
  const out = allZones().map((zone): ZoneOption => {
    const { name, offset } = describe(zone, locale, at)
    return { zone, name, offset, common: words.has(zone), search: `${zone} ${zone.replace(/_/g, ' ')} ${name} ${offset} ${words.get(zone) ?? ''}`.toLowerCase() }
  })
  const order = new Map(COMMON_ZONES.map((z, i) => [z.zone, i]))
  out.sort((a, b) => (order.get(a.zone) ?? 1e3) - (order.get(b.zone) ?? 1e3) || a.zone.localeCompare(b.zone))
  cache.set(locale, out)
  return out
}

/** Whether an option matches what was typed (every word, in any order). */
export function zoneMatches(option: ZoneOption, text: string): boolean {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean)
  return words.every((w) => option.search.includes(w))
}
