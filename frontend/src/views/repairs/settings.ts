/** Repair settings screen: the category form and the community settings form, with their API mappers. */
import type { ColumnDef, FieldDef } from '@/components/schema'
import type { RepairCategoryInput, RepairSettingsInput } from '@/graphql/generated/graphql'
import type { RepairCategory, RepairSettings } from '@/api/repairs'

export interface CategoryForm {
  [key: string]: string | number | null
  name: string
  nameEn: string
  sort: number
}

export const emptyCategoryForm = (): CategoryForm => ({ name: '', nameEn: '', sort: 0 })
export const categoryToForm = (c: RepairCategory): CategoryForm => ({ name: c.name, nameEn: c.nameEn, sort: c.sort })
export const toCategoryInput = (f: CategoryForm): RepairCategoryInput => ({ name: f.name.trim(), nameEn: f.nameEn.trim(), sort: Math.round(f.sort) })

export const categoryFields: readonly FieldDef[] = [
  { prop: 'name', labelKey: 'repairs.settings.categoryName', kind: 'text', required: true, maxlength: 50 },
  { prop: 'nameEn', labelKey: 'repairs.settings.categoryNameEn', kind: 'text', maxlength: 50 },
  { prop: 'sort', labelKey: 'repairs.settings.sort', kind: 'number', min: 0, max: 10000, precision: 0 },
]

export const categoryColumns: readonly ColumnDef<RepairCategory>[] = [
  { prop: 'name', labelKey: 'repairs.settings.categoryName', minWidth: 140 },
  { prop: 'nameEn', labelKey: 'repairs.settings.categoryNameEn', minWidth: 160 },
  { prop: 'sort', labelKey: 'repairs.settings.sort', width: 100 },
  { prop: 'isActive', labelKey: 'common.status', width: 120 },
]

export interface SettingsForm {
  allowGrab: boolean
  autoAssign: boolean
  normalAcceptMinutes: number
  normalFinishHours: number
  urgentAcceptMinutes: number
  urgentFinishHours: number
}

/** The SLA fields: label, unit and bounds of each number input. */
export type SlaProp = 'normalAcceptMinutes' | 'normalFinishHours' | 'urgentAcceptMinutes' | 'urgentFinishHours'
export const slaFields: readonly { prop: SlaProp; labelKey: string; unitKey: string; max: number }[] = [
  { prop: 'normalAcceptMinutes', labelKey: 'repairs.settings.normalAccept', unitKey: 'repairs.settings.minutes', max: 10080 },
  { prop: 'normalFinishHours', labelKey: 'repairs.settings.normalFinish', unitKey: 'repairs.settings.hours', max: 2160 },
  { prop: 'urgentAcceptMinutes', labelKey: 'repairs.settings.urgentAccept', unitKey: 'repairs.settings.minutes', max: 10080 },
  { prop: 'urgentFinishHours', labelKey: 'repairs.settings.urgentFinish', unitKey: 'repairs.settings.hours', max: 2160 },
]

export const settingsToForm = (s: RepairSettings): SettingsForm => ({
  allowGrab: s.allowGrab, autoAssign: s.autoAssign, normalAcceptMinutes: s.normalAcceptMinutes,
  normalFinishHours: s.normalFinishHours, urgentAcceptMinutes: s.urgentAcceptMinutes, urgentFinishHours: s.urgentFinishHours,
})

export const toSettingsInput = (f: SettingsForm): RepairSettingsInput => ({
  allowGrab: f.allowGrab, autoAssign: f.autoAssign, normalAcceptMinutes: Math.round(f.normalAcceptMinutes),
  normalFinishHours: Math.round(f.normalFinishHours), urgentAcceptMinutes: Math.round(f.urgentAcceptMinutes),
  urgentFinishHours: Math.round(f.urgentFinishHours),
})
