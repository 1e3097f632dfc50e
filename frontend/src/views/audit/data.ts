/** Audit log: columns, the filter form's mapper, and how an entry is put into words (action, target, summary). */
import type { RouteLocationRaw } from 'vue-router'
import type { ColumnDef } from '@/components/schema'
import type { AuditFilter } from '@/graphql/generated/graphql'
import type { AuditRow, AuditTarget } from '@/api/audit'
import { formatDateTime, zonedToUtc } from '@/locales/time'
import { maskPhone } from '@/utils/phone'

type T = (key: string, values?: Record<string, unknown>) => string

export interface AuditSearch {
  action: string
  targetType: string
  range: [string, string] | null
}

export const emptyAuditSearch = (): AuditSearch => ({ action: '', targetType: '', range: null })

export function toAuditFilter(s: AuditSearch): AuditFilter {
  return {
    action: s.action.trim() || null,
    targetType: s.targetType.trim() || null,
    // The picker gives wall-clock times, meant in the zone the log is shown in.
    since: s.range ? zonedToUtc(s.range[0]) : null,
    until: s.range ? zonedToUtc(s.range[1]) : null,
  }
}

/** Types of object the log names, in the order the filter offers them (labels in audit.json targetTypes). */
export const TARGET_TYPES = [
  'Company', 'Community', 'Building', 'Unit', 'User', 'UnitBinding', 'StaffMember', 'StaffInvitation', 'Role',
  'Ticket', 'RepairCategory', 'ImportJob',
] as const

/** A type's label, or the type itself for one the console does not know yet. */
export function targetTypeLabel(type: string, t: T, te: (key: string) => boolean): string {
  const key = `audit.targetTypes.${type}`
  return te(key) ? t(key) : type
}

/** The action's label in the console's language (the server labels every action it records). */
export const actionLabel = (row: Pick<AuditRow, 'actionName' | 'actionNameEn'>, locale: string): string =>
  (locale === 'en' ? row.actionNameEn : row.actionName) || row.actionName

/** The name people know the object by, as it is now. */
export function targetName(target: AuditTarget, locale: string): string {
  const en = locale === 'en'
  switch (target.__typename) {
    case 'Company':
    case 'Community':
    case 'Building':
    case 'StaffInvitation':
      return target.name
    case 'Unit':
      return `${target.building.name} ${target.number}`
    case 'Ticket':
      return target.number
    case 'RepairCategory':
    case 'Role':
      return (en && target.nameEn) || target.name
    case 'StaffMember':
      return [target.staffUser.name, target.title].filter(Boolean).join(' · ')
    case 'User':
      return target.name || maskPhone(target.phone)
    case 'UnitBinding': {
      const who = target.knownAs || target.bindingUser?.name || maskPhone(target.bindingUser?.phone ?? '')
      const unit = target.unit ? `${target.unit.building.name} ${target.unit.number}` : ''
      return [who, unit].filter(Boolean).join(' · ')
    }
    case 'ImportJob':
      return target.fileName
    default:
      return ''
  }
}

/** Where the console shows the object: its own page where there is one, else the list it is on. */
export function targetLink(target: AuditTarget, platform: boolean): RouteLocationRaw | null {
  if (platform) {
    if (target.__typename === 'Company') return { name: 'platform-companies' }
    if (target.__typename === 'Role') return { name: 'platform-roles' }
    if (target.__typename === 'User') return { name: 'platform-admins' }
    return null
  }
  switch (target.__typename) {
    case 'Community':
    case 'Building':
    case 'Unit':
      return { name: 'communities' }
    case 'Ticket':
      return { name: 'repairs-tickets', query: { ticket: target.id } }
    case 'RepairCategory':
      return { name: 'repairs-settings' }
    case 'StaffMember':
    case 'StaffInvitation':
      return { name: 'staff' }
    case 'User':
      return { name: 'owner-detail', params: { id: target.id } }
    case 'UnitBinding':
      return { name: 'bindings' }
    case 'ImportJob':
      return { name: 'imports' }
    default:
      return null
  }
}

/** Whether a value is one of the server's opaque IDs ("Type:pk" behind a tag, base64url): never shown to people. */
export function isGlobalId(value: unknown): boolean {
  if (typeof value !== 'string' || value.length < 16 || value.length > 200 || !/^[A-Za-z0-9_-]+$/.test(value)) return false
  try {
    const raw = atob(value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4))
    return /[A-Z][A-Za-z]+:\d+$/.test(raw)
  } catch {
    return false
  }
}

/** Fields whose values are enum codes, and where their labels are (residential → 住宅). */
const VALUE_LABELS: Record<string, string> = { type: 'tenancy.type', relation: 'owners.relation' }

function valueText(value: unknown, t: T, te?: (key: string) => boolean, field?: string): string | null {
  if (value === null || value === undefined || value === '' || isGlobalId(value)) return null
  if (typeof value === 'boolean') return t(value ? 'audit.yes' : 'audit.no')
  const labels = field ? VALUE_LABELS[field] : undefined
  if (typeof value === 'string' && labels && te?.(`${labels}.${value.toUpperCase()}`)) return t(`${labels}.${value.toUpperCase()}`)
  if (Array.isArray(value)) {
    if (value.length === 0) return null
    if (value.every((v) => isGlobalId(v) || (typeof v === 'object' && v !== null))) return t('audit.items', { n: value.length })
    return value.map((v) => valueText(v, t)).filter((v) => v !== null).join('、') || null
  }
  if (typeof value === 'object') return null
  return String(value)
}

/** The summary in words: known fields by their labels, IDs left out (the target is linked instead). */
export function summaryText(summary: Record<string, unknown>, t: T, te: (key: string) => boolean): string {
  return Object.entries(summary ?? {})
    .map(([k, v]) => {
      const text = valueText(v, t, te, k)
      if (text === null) return null
      const key = `audit.fields.${k}`
      return `${te(key) ? t(key) : k}: ${text}`
    })
    .filter((s): s is string => s !== null)
    .join('；')
}

/** Columns of the table; the target and action cells are slots in list.vue (a link and a tag). */
export const auditColumns: readonly ColumnDef<AuditRow>[] = [
  { prop: 'createdAt', labelKey: 'audit.time', width: 170, format: (r) => formatDateTime(r.createdAt) },
  { prop: 'actor', labelKey: 'audit.actor', width: 130, format: (r) => r.actor?.name ?? '' },
  { prop: 'action', labelKey: 'audit.action', width: 170 },
  { prop: 'target', labelKey: 'audit.target', minWidth: 200 },
  { prop: 'summary', labelKey: 'audit.summary', minWidth: 240 },
]
