/** Staff: columns, the staff form and the mappers from it to StaffCreateInput / StaffUpdateInput. */
import type { ColumnDef } from '@/components/schema'
import type { GrantInput, StaffCreateInput, StaffUpdateInput } from '@/graphql/generated/graphql'
import type { StaffRow } from '@/api/staff'
import { formatDateTime } from '@/locales/time'
import { maskPhone } from '@/utils/phone'

export interface GrantRow {
  roleId: string
  communityId: string
}
export interface StaffForm {
  phone: string
  name: string
  title: string
  password: string
  isActive: boolean
  grants: GrantRow[]
}

export const emptyStaffForm = (): StaffForm => ({ phone: '', name: '', title: '', password: '', isActive: true, grants: [{ roleId: '', communityId: '' }] })

export const roleName = (role: { name: string; nameEn: string }, locale: string): string => (locale === 'en' ? role.nameEn : role.name)

export function grantsText(row: Pick<StaffRow, 'grants'>, locale: string, t: (k: string) => string): string {
  return row.grants.map((g) => `${roleName(g.role, locale)}（${g.community?.name ?? t('staff.wholeCompany')}）`).join('、')
}

export function toGrantInputs(grants: readonly GrantRow[]): GrantInput[] {
  return grants.filter((g) => g.roleId).map((g) => ({ roleId: g.roleId, communityId: g.communityId || null }))
}

export function staffToForm(row: StaffRow): StaffForm {
  return {
    phone: row.user.phone, name: row.user.name, title: row.title, password: '', isActive: row.isActive,
    grants: row.grants.map((g) => ({ roleId: g.role.id, communityId: g.community?.id ?? '' })),
  }
}

export const toStaffCreateInput = (f: StaffForm): StaffCreateInput => ({
  phone: f.phone.trim(), name: f.name.trim(), title: f.title.trim() || null, password: f.password || null, grants: toGrantInputs(f.grants),
})
export const toStaffUpdateInput = (f: StaffForm): StaffUpdateInput => ({ title: f.title.trim(), isActive: f.isActive, grants: toGrantInputs(f.grants) })

export const staffColumns = (locale: string): readonly ColumnDef<StaffRow>[] => [
  { prop: 'name', labelKey: 'staff.name', minWidth: 150, format: (r) => r.user.name },
  { prop: 'phone', labelKey: 'staff.phone', width: 150, format: (r) => maskPhone(r.user.phone) },
  { prop: 'title', labelKey: 'staff.title', minWidth: 120, format: (r, t) => r.title || t('staff.noTitle') },
  { prop: 'grants', labelKey: 'staff.roles', minWidth: 260, format: (r, t) => grantsText(r, locale, t) },
  { prop: 'isActive', labelKey: 'common.status', width: 100, format: (r, t) => t(r.isActive ? 'common.active' : 'common.disabled') },
  { prop: 'createdAt', labelKey: 'staff.joinedAt', width: 170, format: (r) => formatDateTime(r.createdAt) },
]
