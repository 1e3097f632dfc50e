import { describe, expect, it } from 'vitest'
import { areaText, formToBulkInput, formToCommunityInput, formToUnitInput, unitToForm } from '@/views/tenancy/data'
import { ownerColumns, toOwnerFilter, unitsText } from '@/views/owners/data'
import { maskPhone, phoneDisplay } from '@/utils/phone'
import { toBindingFilter } from '@/views/bindings/data'
import { grantsText, staffToForm, toStaffCreateInput, toStaffUpdateInput } from '@/views/staff/data'
import { summaryText, toAuditFilter } from '@/views/audit/data'
import { toCompanyInput } from '@/views/platform/data'
import { statCards, unitsChartOption } from '@/views/dashboard/data'
import type { DashboardFigures } from '@/api/dashboard'
import type { OwnerRow } from '@/api/owners'
import type { StaffRow } from '@/api/staff'

const t = (k: string) => `<${k}>`

describe('tenancy mappers', () => {
  it('sends areas as two-decimal strings and integers for floors', () => {
    expect(areaText(89.5)).toBe('89.50')
    expect(formToUnitInput({ number: ' 1201 ', floor: 12, area: '88.456', type: 'RESIDENTIAL' })).toEqual({
      number: '1201', floor: 12, area: '88.46', type: 'RESIDENTIAL',
    })
    expect(unitToForm({ id: 'u', number: '101', floor: 1, area: '90.00', type: 'PARKING' })).toEqual({ number: '101', floor: 1, area: 90, type: 'PARKING' })
  })
  it('turns an empty time zone into null (the server default)', () => {
    expect(formToCommunityInput({ name: ' A ', address: '', timezone: '' })).toEqual({ name: 'A', address: '', timezone: null })
  })
  it('builds the bulk input for a building', () => {
    expect(formToBulkInput('b1', { floorFrom: 1, floorTo: 3, perFloor: 2, area: 100, type: 'RESIDENTIAL' })).toEqual({
      buildingId: 'b1', floorFrom: 1, floorTo: 3, perFloor: 2, area: '100.00', type: 'RESIDENTIAL',
    })
  })
})

describe('owner mappers', () => {
  it('masks full numbers unless revealed', () => {
    expect(maskPhone('13800001234')).toBe('138****1234')
    expect(maskPhone('138****1234')).toBe('138****1234')
    expect(phoneDisplay('13800001234', true)).toBe('13800001234')
    expect(phoneDisplay('13800001234', false)).toBe('138****1234')
  })
  it('drops empty filters and adds the chosen community', () => {
    expect(toOwnerFilter({ search: ' 王 ', phone: '', unitNumber: '', relation: '' }, 'c1')).toEqual({ communityId: 'c1', search: '王' })
    expect(toOwnerFilter({ search: '', phone: '13900000001', unitNumber: '101', relation: 'OWNER' }, null)).toEqual({
      phone: '13900000001', unitNumber: '101', relation: 'OWNER',
    })
  })
  it('lists approved units only', () => {
    const row = {
      bindings: [
        { id: 'b', relation: 'OWNER', status: 'APPROVED', unit: { id: 'u', number: '101', building: { id: 'x', name: '1号楼' } }, community: { id: 'c', name: '阳光花园' } },
        { id: 'b2', relation: 'TENANT', status: 'PENDING', unit: { id: 'u2', number: '102', building: { id: 'x', name: '1号楼' } }, community: { id: 'c', name: '阳光花园' } },
      ],
    } as unknown as OwnerRow
    expect(unitsText(row, t)).toBe('阳光花园 1号楼-101 (<owners.relation.OWNER>)')
    expect(ownerColumns.map((c) => c.prop)).toContain('phone')
  })
})

describe('other mappers', () => {
  it('binding filter uses null for "all"', () => {
    expect(toBindingFilter('', null)).toEqual({ status: null, communityId: null })
    expect(toBindingFilter('PENDING', 'c')).toEqual({ status: 'PENDING', communityId: 'c' })
  })
  it('staff form ↔ inputs', () => {
    const row = {
      id: 's', title: '维修工', isActive: true, createdAt: '',
      user: { id: 'u', name: '李', phone: '138****0004' },
      grants: [{ role: { id: 'r', code: 'technician', name: '维修工', nameEn: 'Technician' }, community: null }],
    } as StaffRow
    const form = staffToForm(row)
    expect(form.grants).toEqual([{ roleId: 'r', communityId: '' }])
    expect(toStaffUpdateInput(form)).toEqual({ title: '维修工', isActive: true, grants: [{ roleId: 'r', communityId: null }] })
    expect(toStaffCreateInput({ ...form, phone: '13800000009', password: '', grants: [...form.grants, { roleId: '', communityId: '' }] })).toEqual({
      phone: '13800000009', name: '李', title: '维修工', password: null, grants: [{ roleId: 'r', communityId: null }],
    })
    expect(grantsText(row, 'en', t)).toBe('Technician（<staff.wholeCompany>）')
  })
  it('audit filter and summary', () => {
    expect(toAuditFilter({ action: ' unit ', targetType: '', range: null })).toEqual({ action: 'unit', targetType: null, since: null, until: null })
    expect(summaryText({ name: 'A', floors: 3, grants: [1] }, (k) => k, () => false)).toBe('name: A；floors: 3；grants: 1')
  })
  it('company input keeps an empty password as null', () => {
    expect(toCompanyInput({ name: ' X ', adminName: 'Y', adminPhone: '13800000099', adminPassword: '' })).toEqual({
      name: 'X', adminName: 'Y', adminPhone: '13800000099', adminPassword: null,
    })
  })
  it('chart option lists communities and their unit counts', () => {
    const option = unitsChartOption([{ id: 'c', name: 'A', unitCount: 4 }], 'T', false)
    expect(option.animation).toBe(false)
    expect(option.xAxis.data).toEqual(['A'])
    expect(option.series[0].data).toEqual([4])
  })
  it('dashboard cards format the figures', () => {
    const d = { communityCount: 2, buildingCount: 4, unitCount: 48, occupiedUnitCount: 5, occupancyRate: 0.10416, ownerCount: 6, residentCount: 8, pendingBindingCount: 1, unitsByType: [] } as DashboardFigures
    expect(Object.fromEntries(statCards.map((c) => [c.key, c.value(d)]))).toEqual({ communities: '2', units: '48', occupancy: '10.4%', owners: '6', pending: '1' })
  })
})
