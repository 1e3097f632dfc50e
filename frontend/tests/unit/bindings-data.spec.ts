import { describe, expect, it } from 'vitest'
import type { BindingRow } from '@/api/bindings'
import { messages } from '@/locales'
import { applicantName, applicantPhone, applicantUnnamed, bindingColumns, unitText } from '@/views/bindings/data'

const zh = messages['zh-CN'] as Record<string, Record<string, unknown>>
const t = (key: string): string => {
  const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], zh)
  return typeof value === 'string' ? value : key
}
const row = (over: Partial<BindingRow>): BindingRow => ({
  id: 'b1', relation: 'OWNER', status: 'PENDING', reason: '', createdAt: '2026-12-01T08:00:00Z', reviewedAt: null, knownAs: null,
  user: { id: 'u', name: '', phone: '13800001234' },
  unit: { id: 'n', number: '101', building: { id: 'b', name: '3号楼' } },
  community: { id: 'c', name: '幸福里' },
  ...over,
}) as BindingRow

describe('binding review rows', () => {
  it('shows an SMS sign-up by phone, saying no name was given', () => {
    const r = row({})
    expect(applicantName(r, t)).toBe('未填写姓名')
    expect(applicantUnnamed(r)).toBe(true)
    expect(applicantPhone(r, false, t)).toBe('138****1234')
    expect(applicantPhone(r, true, t)).toBe('13800001234')
    expect(unitText(r, t)).toBe('3号楼-101')
  })

  it('prefers the name, then the name the company knows them by', () => {
    expect(applicantName(row({ user: { id: 'u', name: '李四', phone: '138****1234' } }), t)).toBe('李四')
    expect(applicantName(row({ knownAs: '王阿姨' }), t)).toBe('王阿姨')
  })

  it('never leaves a cell empty', () => {
    const bare = row({ user: null, unit: null, community: null })
    for (const col of bindingColumns) expect(col.format?.(bare, t), col.prop).toBeTruthy()
    expect(applicantPhone(bare, false, t)).toBe('无手机号')
  })
})
