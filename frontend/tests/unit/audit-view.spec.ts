import { describe, expect, it } from 'vitest'
import type { AuditTarget } from '@/api/audit'
import { messages } from '@/locales'
import { actionLabel, isGlobalId, summaryText, targetLink, targetName, TARGET_TYPES } from '@/views/audit/data'

// An ID as the server makes it: base64url of a 16-byte tag and "Type:pk".
const gid = (type: string, pk: number): string =>
  btoa(String.fromCharCode(...new Array(16).fill(7)) + `${type}:${pk}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const zh = messages['zh-CN'].audit as Record<string, Record<string, string>>
const en = messages.en.audit as Record<string, Record<string, string>>
const t = (key: string, values?: Record<string, unknown>): string => {
  const value = key.split('.').slice(1).reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], zh)
  return typeof value === 'string' ? value.replace(/\{(\w+)\}/g, (_, k: string) => String(values?.[k] ?? '')) : key
}
const te = (key: string): boolean => t(key) !== key

describe('audit log in words', () => {
  it('shows the action by its label in the console language', () => {
    const row = { actionName: '新建房屋', actionNameEn: 'Create unit' }
    expect(actionLabel(row, 'zh-CN')).toBe('新建房屋')
    expect(actionLabel(row, 'en')).toBe('Create unit')
  })

  it('names the target and links to where it is shown', () => {
    const unit = { __typename: 'Unit', id: 'u1', number: '1502', building: { name: '1栋' } } as AuditTarget
    expect(targetName(unit, 'zh-CN')).toBe('1栋 1502')
    expect(targetLink(unit, false)).toEqual({ name: 'communities' })
    const ticket = { __typename: 'Ticket', id: 't1', number: 'R00000007' } as AuditTarget
    expect(targetLink(ticket, false)).toEqual({ name: 'repairs-tickets', query: { ticket: 't1' } })
    const role = { __typename: 'Role', id: 'r1', name: '维修技师', nameEn: 'Technician' } as AuditTarget
    expect(targetName(role, 'en')).toBe('Technician')
    expect(targetLink(role, true)).toEqual({ name: 'platform-roles' })
    const person = { __typename: 'User', id: 'p', name: '', phone: '13800001234' } as AuditTarget
    expect(targetName(person, 'zh-CN')).toBe('138****1234')
  })

  it('leaves IDs out of the summary and labels known fields', () => {
    expect(isGlobalId(gid('StaffMember', 12))).toBe(true)
    expect(isGlobalId('hello')).toBe(false)
    const text = summaryText({ technician: gid('StaffMember', 3), note: '', categories: [gid('RepairCategory', 1), gid('RepairCategory', 2)], number: '1502', isActive: true }, t, te)
    expect(text).toBe('类别: 2 项；房号: 1502；启用: 是')
    expect(text).not.toMatch(/StaffMember|[A-Za-z0-9_-]{20,}/)
  })

  it('has a label for every target type in both languages', () => {
    for (const type of TARGET_TYPES) {
      expect(zh.targetTypes[type], type).toBeTruthy()
      expect(en.targetTypes[type], type).toBeTruthy()
    }
  })
})
