/** Owners list: columns, filter options and mappers from the filter form to the API's OwnerFilter. */
import type { ColumnDef, OptionDef } from '@/components/schema'
import type { OwnerFilter, Relation } from '@/graphql/generated/graphql'
import type { OwnerRow } from '@/api/owners'
import { formatDateTime } from '@/locales/time'

export const relationOptions: readonly OptionDef[] = [
  { value: 'OWNER', labelKey: 'owners.relation.OWNER' },
  { value: 'FAMILY', labelKey: 'owners.relation.FAMILY' },
  { value: 'TENANT', labelKey: 'owners.relation.TENANT' },
]

export interface OwnerSearch {
  search: string
  phone: string
  unitNumber: string
  relation: Relation | ''
}

export const emptySearch = (): OwnerSearch => ({ search: '', phone: '', unitNumber: '', relation: '' })

export function toOwnerFilter(s: OwnerSearch, communityId: string | null): OwnerFilter {
  const filter: OwnerFilter = {}
  if (communityId) filter.communityId = communityId
  if (s.search.trim()) filter.search = s.search.trim()
  if (s.phone.trim()) filter.phone = s.phone.trim()
  if (s.unitNumber.trim()) filter.unitNumber = s.unitNumber.trim()
  if (s.relation) filter.relation = s.relation
  return filter
}

export function unitsText(row: Pick<OwnerRow, 'bindings'>, t: (k: string) => string): string {
  return row.bindings
    .filter((b) => b.status === 'APPROVED' && b.unit && b.community)
    .map((b) => `${b.community?.name} ${b.unit?.building.name}-${b.unit?.number} (${t(`owners.relation.${b.relation}`)})`)
    .join('；')
}

/** The name to show staff: the company's name for the person when it has one, else their own. */
export function displayName(row: Pick<OwnerRow, 'name' | 'bindings'>): string {
  return row.bindings.find((b) => b.knownAs)?.knownAs ?? row.name
}

export const ownerColumns: readonly ColumnDef<OwnerRow>[] = [
  { prop: 'name', labelKey: 'owners.name', minWidth: 120, format: (r) => displayName(r) },
  { prop: 'phone', labelKey: 'owners.phone', width: 160 },
  { prop: 'units', labelKey: 'owners.units', minWidth: 300, format: unitsText },
  { prop: 'isActive', labelKey: 'common.status', width: 110, format: (r, t) => t(r.isActive ? 'common.active' : 'common.disabled') },
  { prop: 'createdAt', labelKey: 'common.createdAt', width: 180, format: (r) => formatDateTime(r.createdAt) },
]
