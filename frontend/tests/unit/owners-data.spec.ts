import { describe, expect, it } from 'vitest'
import type { OwnerRow } from '@/api/owners'
import { displayName, ownerColumns } from '@/views/owners/data'

type Binding = OwnerRow['bindings'][number]
const binding = (knownAs: string | null): Binding => ({
  id: 'b', relation: 'OWNER', status: 'APPROVED', knownAs,
  unit: { id: 'u', number: '503', building: { id: 'bd', name: '1号楼' } }, community: { id: 'c', name: '阳光花园' },
})

describe('owners data', () => {
  it('shows the company name on record, else the person\'s own name', () => {
    expect(displayName({ name: '张三', bindings: [binding(null), binding('老张')] })).toBe('老张')
    expect(displayName({ name: '张三', bindings: [binding(null)] })).toBe('张三')
    expect(displayName({ name: '', bindings: [] })).toBe('')
  })
  it('the name column uses it', () => {
    const column = ownerColumns.find((c) => c.prop === 'name')
    const row = { name: '', bindings: [binding('手录')] } as unknown as OwnerRow
    expect(column?.format?.(row, (k) => k)).toBe('手录')
  })
})
