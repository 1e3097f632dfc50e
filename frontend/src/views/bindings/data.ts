/** Binding approval queue: columns and status choices. */
import type { ColumnDef, OptionDef } from '@/components/schema'
import type { BindingFilter, BindingStatus } from '@/graphql/generated/graphql'
import type { BindingRow } from '@/api/bindings'
import { formatDateTime } from '@/locales/time'
import { maskPhone } from '@/utils/phone'

export const statusOptions: readonly OptionDef[] = (['PENDING', 'APPROVED', 'REJECTED', 'REMOVED'] as const).map((s) => ({
  value: s,
  labelKey: `bindings.status.${s}`,
}))

export const toBindingFilter = (status: BindingStatus | '', communityId: string | null): BindingFilter => ({
  status: status || null,
  communityId: communityId || null,
})

export const bindingColumns: readonly ColumnDef<BindingRow>[] = [
  { prop: 'user', labelKey: 'bindings.applicant', minWidth: 120, format: (r) => r.user?.name ?? "" },
  { prop: 'phone', labelKey: 'owners.phone', width: 130, format: (r) => (r.user ? maskPhone(r.user.phone) : "") },
  { prop: 'community', labelKey: 'bindings.community', minWidth: 160, format: (r) => r.community?.name ?? "" },
  { prop: 'unit', labelKey: 'bindings.unit', minWidth: 130, format: (r) => (r.unit ? `${r.unit.building.name}-${r.unit.number}` : "") },
  { prop: 'relation', labelKey: 'bindings.relation', width: 90, format: (r, t) => t(`owners.relation.${r.relation}`) },
  { prop: 'status', labelKey: 'common.status', width: 100, format: (r, t) => t(`bindings.status.${r.status}`) },
  { prop: 'createdAt', labelKey: 'bindings.requestedAt', width: 170, format: (r) => formatDateTime(r.createdAt) },
]
