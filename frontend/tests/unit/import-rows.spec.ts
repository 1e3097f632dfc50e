import { describe, expect, it } from 'vitest'
import { cellErrorReason, kindColumns, progressPercent, toPreviewRow } from '@/views/imports/data'
import { newer } from '@/domains/imports/jobs'
import type { ImportJob } from '@/api/imports'

const dict: Record<string, string> = {
  'imports.column.phone': '手机',
  'imports.column.community': '小区',
  'imports.column.floor': '楼层',
  'imports.cellError.phone.INVALID_PHONE': '不是有效的中国大陆手机号',
  'imports.cellError.REQUIRED': '必填',
  'errors.NOT_FOUND': '不存在',
  'errors.UNKNOWN': '操作失败',
}
const t = (k: string) => dict[k] ?? k
const te = (k: string) => k in dict

describe('import row mapper', () => {
  it('keeps cell values as text and turns each error into "<column>: <reason>" with the server text as detail', () => {
    const row = toPreviewRow({
      rowNumber: 3,
      values: { community: '阳光花园', building: '1栋', number: '1201', name: '张三', phone: '1380000', relation: '' },
      errors: [
        { column: 'phone', code: 'INVALID_PHONE', message: 'Not a valid mobile number' },
        { column: 'community', code: 'NOT_FOUND', message: 'No such community' },
      ],
    }, t, te)
    expect(row.rowNumber).toBe(3)
    expect(row.cells.phone).toBe('1380000')
    expect(row.cells.relation).toBe('')
    expect(row.errors.map((e) => e.text)).toEqual(['手机: 不是有效的中国大陆手机号', '小区: 不存在'])
    expect(row.errors[0].detail).toBe('Not a valid mobile number')
    expect([...row.badColumns].sort()).toEqual(['community', 'phone'])
  })

  it('turns numbers and nulls into text, and a clean row has no errors', () => {
    const row = toPreviewRow({ rowNumber: 2, values: { floor: 12, area: 89.5, type: null }, errors: [] }, t, te)
    expect(row.cells).toEqual({ floor: '12', area: '89.5', type: '' })
    expect(row.errors).toEqual([])
    expect(row.badColumns.size).toBe(0)
  })

  it('picks the column text, then the code text, then the server text, then a generic one', () => {
    expect(cellErrorReason('phone', 'INVALID_PHONE', 'x', t, te)).toBe('不是有效的中国大陆手机号')
    expect(cellErrorReason('floor', 'REQUIRED', 'Required', t, te)).toBe('必填')
    expect(cellErrorReason('floor', 'NOT_FOUND', 'x', t, te)).toBe('不存在')
    expect(cellErrorReason('floor', 'BRAND_NEW', 'Floor is odd', t, te)).toBe('Floor is odd')
    expect(cellErrorReason('floor', 'BRAND_NEW', '', t, te)).toBe('操作失败')
  })

  it('knows the columns of every kind in sheet order', () => {
    expect(kindColumns.OWNERS).toEqual(['community', 'building', 'number', 'name', 'phone', 'relation'])
    expect(kindColumns.UNITS).toContain('area')
    expect(kindColumns.BUILDINGS).toEqual(['community', 'building', 'floors'])
  })
})

describe('import progress', () => {
  const job = (over: Partial<ImportJob>): ImportJob => ({
    id: 'J1', kind: 'OWNERS', status: 'COMMITTING', fileName: 'a.xlsx', totalRows: 200, validRows: 200,
    errorCount: 0, processed: 0, failure: '', createdAt: '2026-11-22T00:00:00Z', finishedAt: null, ...over,
  })

  it('is the share of rows written, 100 when done', () => {
    expect(progressPercent(job({ processed: 50 }))).toBe(25)
    expect(progressPercent(job({ processed: 0, totalRows: 0 }))).toBe(0)
    expect(progressPercent(job({ status: 'DONE', totalRows: 0 }))).toBe(100)
  })

  it('ignores a late report that is behind the one shown', () => {
    const ahead = job({ processed: 150 })
    expect(newer(ahead, job({ processed: 100 }))).toBe(ahead)
    const done = job({ status: 'DONE', processed: 200 })
    expect(newer(ahead, done)).toBe(done)
    expect(newer(done, job({ processed: 199 }))).toBe(done)
  })
})
