/** Communities → buildings → units: tree nodes, form schemas and the mappers between rows, forms and inputs. */
import type { FieldDef, FormModel, OptionDef } from '@/components/schema'
import type { BuildingInput, CommunityInput, UnitBulkInput, UnitInput, UnitType } from '@/graphql/generated/graphql'
import type { BuildingRow, CommunityRow, UnitRow } from '@/api/tenancy'

export type TreeKind = 'community' | 'building' | 'unit'
export type TreeNode =
  | { id: string; kind: 'community'; label: string; leaf: false; row: CommunityRow }
  | { id: string; kind: 'building'; label: string; leaf: false; row: BuildingRow; parentId: string }
  | { id: string; kind: 'unit'; label: string; leaf: true; row: UnitRow; parentId: string }

export const unitTypeOptions: readonly OptionDef[] = [
  { value: 'RESIDENTIAL', labelKey: 'tenancy.type.RESIDENTIAL' },
  { value: 'COMMERCIAL', labelKey: 'tenancy.type.COMMERCIAL' },
  { value: 'PARKING', labelKey: 'tenancy.type.PARKING' },
]

export const communityFields: readonly FieldDef[] = [
  { prop: 'name', labelKey: 'tenancy.name', kind: 'text', required: true, maxlength: 100 },
  { prop: 'address', labelKey: 'tenancy.address', kind: 'text', maxlength: 200 },
  { prop: 'timezone', labelKey: 'tenancy.timezone', kind: 'timezone' },
]
export const buildingFields: readonly FieldDef[] = [
  { prop: 'name', labelKey: 'tenancy.buildingName', kind: 'text', required: true, maxlength: 50 },
  { prop: 'floors', labelKey: 'tenancy.floors', kind: 'number', min: 1, max: 200 },
]
export const unitFields: readonly FieldDef[] = [
  { prop: 'number', labelKey: 'tenancy.unitNumber', kind: 'text', required: true, maxlength: 20 },
  { prop: 'floor', labelKey: 'tenancy.floor', kind: 'number', required: true, min: -10, max: 200 },
  { prop: 'area', labelKey: 'tenancy.area', kind: 'number', required: true, min: 0, precision: 2 },
  { prop: 'type', labelKey: 'tenancy.unitType', kind: 'select', required: true, options: unitTypeOptions },
]
export const bulkFields: readonly FieldDef[] = [
  { prop: 'floorFrom', labelKey: 'tenancy.floorFrom', kind: 'number', required: true, min: -10, max: 200 },
  { prop: 'floorTo', labelKey: 'tenancy.floorTo', kind: 'number', required: true, min: -10, max: 200 },
  { prop: 'perFloor', labelKey: 'tenancy.perFloor', kind: 'number', required: true, min: 1, max: 50 },
  { prop: 'area', labelKey: 'tenancy.area', kind: 'number', required: true, min: 0, precision: 2 },
  { prop: 'type', labelKey: 'tenancy.unitType', kind: 'select', required: true, options: unitTypeOptions },
]

export const emptyForm = (): FormModel => ({
  name: '', address: '', timezone: 'Asia/Shanghai', floors: 1, number: '', floor: 1, area: 90, type: 'RESIDENTIAL',
  floorFrom: 1, floorTo: 1, perFloor: 2,
})

const str = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v)).trim()
const num = (v: string | number | null | undefined, fallback = 0): number => {
  const n = typeof v === 'number' ? v : Number.parseFloat(str(v))
  return Number.isFinite(n) ? n : fallback
}
/** The API takes areas as a Decimal string with two places. */
export const areaText = (v: string | number | null | undefined): string => num(v).toFixed(2)

export const communityToForm = (r: CommunityRow): FormModel => ({ name: r.name, address: r.address, timezone: r.timezone })
export const buildingToForm = (r: BuildingRow): FormModel => ({ name: r.name, floors: r.floors })
export const unitToForm = (r: UnitRow): FormModel => ({ number: r.number, floor: r.floor, area: num(r.area), type: r.type })

export const formToCommunityInput = (m: FormModel): CommunityInput => ({
  name: str(m.name), address: str(m.address), timezone: str(m.timezone) || null,
})
export const formToBuildingInput = (m: FormModel): BuildingInput => ({ name: str(m.name), floors: Math.trunc(num(m.floors, 1)) })
export const formToUnitInput = (m: FormModel): UnitInput => ({
  number: str(m.number), floor: Math.trunc(num(m.floor)), area: areaText(m.area), type: str(m.type) as UnitType,
})
export const formToBulkInput = (buildingId: string, m: FormModel): UnitBulkInput => ({
  buildingId, floorFrom: Math.trunc(num(m.floorFrom)), floorTo: Math.trunc(num(m.floorTo)), perFloor: Math.trunc(num(m.perFloor)),
  area: areaText(m.area), type: str(m.type) as UnitType,
})

export const communityNode = (row: CommunityRow): TreeNode => ({ id: row.id, kind: 'community', label: row.name, leaf: false, row })
export const buildingNode = (row: BuildingRow, parentId: string): TreeNode => ({ id: row.id, kind: 'building', label: row.name, leaf: false, row, parentId })
export const unitNode = (row: UnitRow, parentId: string): TreeNode => ({ id: row.id, kind: 'unit', label: row.number, leaf: true, row, parentId })
