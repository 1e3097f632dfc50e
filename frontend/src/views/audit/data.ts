/** Audit log: columns and the mapper from the filter form to AuditFilter. */
import type { ColumnDef } from '@/components/schema'
import type { AuditFilter } from '@/graphql/generated/graphql'
import type { AuditRow } from '@/api/audit'
import { formatDateTime, zonedToUtc } from '@/locales/time'

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

export const summaryText = (summary: Record<string, unknown>): string =>
  Object.entries(summary)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ')

export const auditColumns: readonly ColumnDef<AuditRow>[] = [
  { prop: 'createdAt', labelKey: 'audit.time', width: 170, format: (r) => formatDateTime(r.createdAt) },
  { prop: 'actor', labelKey: 'audit.actor', width: 120, format: (r) => r.actor?.name ?? '' },
  { prop: 'action', labelKey: 'audit.action', width: 180 },
  { prop: 'targetType', labelKey: 'audit.targetType', width: 140 },
  { prop: 'summary', labelKey: 'audit.summary', minWidth: 320, format: (r) => summaryText(r.summary) },
  { prop: 'requestId', labelKey: 'audit.requestId', width: 140 },
]
