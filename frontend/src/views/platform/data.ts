/** Platform console: columns, forms, and the server's permission list grouped for the role-template editor. */
import type { ColumnDef, FieldDef, FormModel } from '@/components/schema'
import type { CompanyCreateInput, Perm } from '@/graphql/generated/graphql'
import type { AdminRow, CompanyRow, PermissionRow } from '@/api/platform'
import { formatDateTime } from '@/locales/time'
import { maskPhone } from '@/utils/phone'

export interface PermGroupView {
  code: string
  name: string
  perms: { code: Perm; description: string }[]
}

/** The server's permission list as groups (in the order it gives them), named in the console's language. */
export function groupPermissions(rows: readonly PermissionRow[], locale: string): PermGroupView[] {
  const en = locale === 'en'
  const groups: PermGroupView[] = []
  for (const row of rows) {
    let group = groups.find((g) => g.code === row.group)
    if (!group) {
      group = { code: row.group, name: (en && row.groupNameEn) || row.groupName, perms: [] }
      groups.push(group)
    }
    group.perms.push({ code: row.code, description: (en && row.descriptionEn) || row.description })
  }
  return groups
}

export const companyColumns: readonly ColumnDef<CompanyRow>[] = [
  { prop: 'name', labelKey: 'platform.companyName', minWidth: 220 },
  { prop: 'contactName', labelKey: 'platform.contact', width: 140 },
  { prop: 'status', labelKey: 'common.status', width: 110, format: (r, t) => t(r.status === 'ACTIVE' ? 'common.active' : 'common.disabled') },
  { prop: 'createdAt', labelKey: 'common.createdAt', width: 180, format: (r) => formatDateTime(r.createdAt) },
]

export const companyFields: readonly FieldDef[] = [
  { prop: 'name', labelKey: 'platform.companyName', kind: 'text', required: true, maxlength: 100 },
  { prop: 'adminName', labelKey: 'platform.adminName', kind: 'text', required: true },
  { prop: 'adminPhone', labelKey: 'platform.adminPhone', kind: 'text', required: true, maxlength: 11 },
  { prop: 'adminPassword', labelKey: 'platform.adminPassword', kind: 'password' },
]
export const emptyCompanyForm = (): FormModel => ({ name: '', adminName: '', adminPhone: '', adminPassword: '' })
export const toCompanyInput = (m: FormModel): CompanyCreateInput => ({
  name: String(m.name ?? '').trim(),
  adminName: String(m.adminName ?? '').trim(),
  adminPhone: String(m.adminPhone ?? '').trim(),
  adminPassword: m.adminPassword ? String(m.adminPassword) : null,
})

export const adminColumns: readonly ColumnDef<AdminRow>[] = [
  { prop: 'name', labelKey: 'platform.adminName', minWidth: 160 },
  { prop: 'phone', labelKey: 'platform.adminPhone', width: 160, format: (r) => maskPhone(r.phone) },
  { prop: 'isActive', labelKey: 'common.status', width: 110, format: (r, t) => t(r.isActive ? 'common.active' : 'common.disabled') },
  { prop: 'createdAt', labelKey: 'common.createdAt', width: 180, format: (r) => formatDateTime(r.createdAt) },
]
export const adminFields: readonly FieldDef[] = [
  { prop: 'name', labelKey: 'platform.adminName', kind: 'text', required: true },
  { prop: 'phone', labelKey: 'platform.adminPhone', kind: 'text', required: true, maxlength: 11 },
  { prop: 'password', labelKey: 'platform.adminPassword', kind: 'password', required: true },
]
export const emptyAdminForm = (): FormModel => ({ name: '', phone: '', password: '' })
