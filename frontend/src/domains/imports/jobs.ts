/** Spreadsheet imports, shared by the import screen, its progress composable and the router: kinds, permissions, job states. */
import type { ImportJob } from '@/api/imports'
import type { ImportKind, ImportStatus, Perm } from '@/graphql/generated/graphql'

export interface KindDef {
  value: ImportKind
  labelKey: string
  /** What the server requires for this kind: the same as creating those rows one by one. */
  perm: Perm
}

export const importKinds: readonly KindDef[] = [
  { value: 'BUILDINGS', labelKey: 'imports.kind.BUILDINGS', perm: 'COMMUNITY_WRITE' },
  { value: 'UNITS', labelKey: 'imports.kind.UNITS', perm: 'UNIT_WRITE' },
  { value: 'OWNERS', labelKey: 'imports.kind.OWNERS', perm: 'BINDING_REVIEW' },
]

/** Anyone who may import at least one kind sees the screen. */
export const IMPORT_PERMS: readonly Perm[] = importKinds.map((k) => k.perm)

export const isFinished = (status: ImportStatus): boolean => status === 'DONE' || status === 'FAILED'

/** Which of two reports of the same job is newer: status order first, then rows processed (events can arrive late). */
export function newer(a: ImportJob | null, b: ImportJob): ImportJob {
  if (!a || a.id !== b.id) return b
  const rank: Record<ImportStatus, number> = { PREVIEWED: 0, COMMITTING: 1, DONE: 2, FAILED: 2 }
  if (rank[b.status] !== rank[a.status]) return rank[b.status] > rank[a.status] ? b : a
  return b.processed >= a.processed ? b : a
}
