/** Binding approval queue: columns and status choices. */
import type { ColumnDef, OptionDef } from '@/components/schema'
import type { BindingFilter, BindingStatus } from '@/graphql/generated/graphql'
import type { BindingRow } from '@/api/bindings'
import { formatDateTime } from '@/locales/time'
import { phoneDisplay } from '@/utils/phone'

export const statusOptions: readonly OptionDef[] = (['PENDING', 'APPROVED', 'REJECTED', 'REMOVED'] as const).map((s) => ({
  value: s,
  labelKey: `bindings.status.${s}`,
}))

export const toBindingFilter = (status: BindingStatus | '', communityId: string | null): BindingFilter => ({
  status: status || null,
  communityId: communityId || null,
})

type T = (key: string) => string

/** Who asked: their name, else the name the company knows them by, else a clear "no name given" (SMS sign-ups have
 * none). Never empty. */
export const applicantName = (r: BindingRow, t: T): string =>
  r.user?.name?.trim() || r.knownAs?.trim() || t(r.user ? 'bindings.noName' : 'bindings.hiddenApplicant')

/** Whether the row has no name of its own to show (the cell then leads with the phone). */
export const applicantUnnamed = (r: BindingRow): boolean => !(r.user?.name?.trim() || r.knownAs?.trim())

/** Their phone, as the caller's role allows it (the API masks it without owner.phone; masked here too unless). */
export const applicantPhone = (r: BindingRow, reveal: boolean, t: T): string =>
  r.user?.phone ? phoneDisplay(r.user.phone, reveal) : t('bindings.noPhone')

/** The unit asked for: building-number, with its community; never empty. */
export const unitText = (r: BindingRow, t: T): string => (r.unit ? `${r.unit.building.name}-${r.unit.number}` : t('bindings.unitGone'))
export const communityText = (r: BindingRow, t: T): string => r.community?.name ?? t('bindings.unitGone')

export const bindingColumns: readonly ColumnDef<BindingRow>[] = [
  { prop: 'user', labelKey: 'bindings.applicant', minWidth: 170, format: (r, t) => applicantName(r, t) },
  { prop: 'unit', labelKey: 'bindings.unit', minWidth: 190, format: (r, t) => unitText(r, t) },
  { prop: 'relation', labelKey: 'bindings.relation', width: 90, format: (r, t) => t(`owners.relation.${r.relation}`) },
  { prop: 'status', labelKey: 'common.status', width: 100, format: (r, t) => t(`bindings.status.${r.status}`) },
  { prop: 'createdAt', labelKey: 'bindings.requestedAt', width: 170, format: (r) => formatDateTime(r.createdAt) },
]
