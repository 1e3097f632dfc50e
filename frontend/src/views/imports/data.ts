/** Import screen: each kind's columns, the mapper from API rows to preview rows, progress. */
import type { ImportJob, ImportRowData } from '@/api/imports'
import type { ImportKind } from '@/graphql/generated/graphql'

/** Column keys of each kind's sheet, in sheet order (the server's ImportRow.values keys). */
export const kindColumns: Record<ImportKind, readonly string[]> = {
  BUILDINGS: ['community', 'building', 'floors'],
  UNITS: ['community', 'building', 'number', 'floor', 'area', 'type'],
  OWNERS: ['community', 'building', 'number', 'name', 'phone', 'relation'],
}

export type Translate = (key: string) => string
export type HasKey = (key: string) => boolean

export interface CellError {
  column: string
  code: string
  /** "<column>: <reason>", translated. */
  text: string
  /** The server's own explanation (English), for a tooltip. */
  detail: string
}

export interface PreviewRow {
  rowNumber: number
  cells: Record<string, string>
  errors: CellError[]
  /** Columns with at least one error, to mark the cells. */
  badColumns: ReadonlySet<string>
}

/** The reason for one cell: a column-specific text, else the generic one for the code, else the server's. */
export function cellErrorReason(column: string, code: string, message: string, t: Translate, te: HasKey): string {
  for (const key of [`imports.cellError.${column}.${code}`, `imports.cellError.${code}`, `errors.${code}`]) {
    if (te(key)) return t(key)
  }
  return message || t('errors.UNKNOWN')
}

export function columnLabel(column: string, t: Translate, te: HasKey): string {
  const key = `imports.column.${column}`
  return te(key) ? t(key) : column
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

export function toPreviewRow(row: ImportRowData, t: Translate, te: HasKey): PreviewRow {
  const values = row.values as Record<string, unknown>
  const cells = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, cellText(v)]))
  const errors = row.errors.map((e) => ({
    column: e.column,
    code: e.code,
    text: `${columnLabel(e.column, t, te)}: ${cellErrorReason(e.column, e.code, e.message, t, te)}`,
    detail: e.message,
  }))
  return { rowNumber: row.rowNumber, cells, errors, badColumns: new Set(errors.map((e) => e.column)) }
}

/** Percent of rows written; a finished job shows 100 even when it had no rows. */
export function progressPercent(job: Pick<ImportJob, 'status' | 'processed' | 'totalRows'>): number {
  if (job.status === 'DONE') return 100
  if (job.totalRows <= 0) return 0
  return Math.min(100, Math.floor((job.processed * 100) / job.totalRows))
}
