/**
 * Times as people read them. The API stores and sends UTC; the console shows each time in a community's IANA time
 * zone: the ticket's own community where a screen shows one ticket, else the display zone (the community chosen in
 * the top bar, or the caller's first community, or Asia/Shanghai). The phone's or browser's own zone never counts.
 */
import { ref } from 'vue'

export const DEFAULT_ZONE = 'Asia/Shanghai'

/** The zone used when a caller names none; the layouts keep it in step with the community switcher. */
export const displayZone = ref<string>(DEFAULT_ZONE)

// One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. null = unknown zone.
const formatters = new Map<string, Intl.DateTimeFormat | null>()

function makeFormatter(zone: string): Intl.DateTimeFormat | null {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    })
  } catch {
    return null // RangeError: not an IANA name this browser knows
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(zone)) formatters.set(zone, makeFormatter(zone))
  return formatters.get(zone) ?? null
}

/** The zone itself when the browser knows it, else null. */
export const knownZone = (zone: string | null | undefined): string | null => (zone && formatterFor(zone) ? zone : null)

export function setDisplayZone(zone: string | null | undefined): void {
  displayZone.value = knownZone(zone) ?? DEFAULT_ZONE
}

/** The console's zone: the chosen community's; with "all communities", the first community's; else Asia/Shanghai. */
export function displayZoneOf(communities: readonly { id: string; timezone: string }[], selectedId: string | null | undefined): string {
  const chosen = communities.find((c) => c.id === selectedId) ?? communities[0]
  return knownZone(chosen?.timezone) ?? DEFAULT_ZONE
}

/** A time from the API (UTC) as a Date; a value without an offset is read as UTC. */
export function parseTime(iso: string): Date {
  return new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`)
}

interface WallTime {
  year: string
  month: string
  day: string
  hour: string
  minute: string
  second: string
}

function wallTime(at: Date, zone: string | null | undefined): WallTime {
  const format = formatterFor(knownZone(zone) ?? displayZone.value) ?? (formatterFor(DEFAULT_ZONE) as Intl.DateTimeFormat)
  const out: WallTime = { year: '', month: '', day: '', hour: '', minute: '', second: '' }
  for (const part of format.formatToParts(at)) {
    if (part.type in out) out[part.type as keyof WallTime] = part.value
  }
  return out
}

/** The wall clock of an API time in a zone; null for no time or an unreadable one. */
function wallOf(iso: string | null | undefined, zone: string | null | undefined): WallTime | null {
  if (!iso) return null
  const at = parseTime(iso)
  return Number.isNaN(at.getTime()) ? null : wallTime(at, zone)
}

/** "2026-11-22 09:05"; '' for no time. Without a zone, in the display zone. */
export function formatDateTime(iso: string | null | undefined, zone?: string | null): string {
  const w = wallOf(iso, zone)
  return w ? `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}` : ''
}

/** "11-22 09:05", with the year in front when it is not the current year there; '' for no time. */
export function formatShort(iso: string | null | undefined, zone?: string | null, now: Date = new Date()): string {
  const w = wallOf(iso, zone)
  if (!w) return ''
  const day = `${w.month}-${w.day} ${w.hour}:${w.minute}`
  return w.year === wallTime(now, zone).year ? day : `${w.year}-${day}`
}

/** "2026-11-22"; '' for no time. */
export function formatDate(iso: string | null | undefined, zone?: string | null): string {
  const w = wallOf(iso, zone)
  return w ? `${w.year}-${w.month}-${w.day}` : ''
}

/** "09:05"; '' for no time. */
export function formatClock(iso: string | null | undefined, zone?: string | null): string {
  const w = wallOf(iso, zone)
  return w ? `${w.hour}:${w.minute}` : ''
}

/** Minutes the zone's clock is ahead of UTC at this instant. */
function offsetMinutes(at: number, zone: string | null | undefined): number {
  const w = wallTime(new Date(at), zone)
  const asUtc = Date.UTC(+w.year, +w.month - 1, +w.day, +w.hour, +w.minute, +w.second)
  return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60_000)
}

/**
 * A wall-clock time typed into a picker ("2026-11-22T09:05:00" or "2026-11-22 09:05"), read in the zone (the display
 * zone by default), as a UTC ISO string for the API; null when it is empty or not such a time.
 */
export function zonedToUtc(wall: string | null | undefined, zone?: string | null): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall?.trim() ?? '')
  if (!m) return null
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0))
  // The offset at the guess can differ from the one at the answer across a DST change: settle it with a second look.
  const first = guess - offsetMinutes(guess, zone) * 60_000
  return new Date(guess - offsetMinutes(first, zone) * 60_000).toISOString()
}
