/** Spreadsheet import (templates, preview, commit, progress) and list exports. */
import * as G from '@/graphql/generated/graphql'
import { download, type QueryParams } from '@/graphql/download'
import { mutate, query, subscribe, upload } from '@/graphql/request'

export type ImportJob = G.ImportJobFieldsFragment
export type ImportRowsPage = Extract<NonNullable<G.ImportRowsQuery['node']>, { __typename: 'ImportJob' }>['rows']
export type ImportRowData = ImportRowsPage['nodes'][number]

/** The lists the server exports, by the path segment of /api/export/<list>.xlsx. */
export type ExportList = 'units' | 'owners' | 'bindings' | 'staffMembers' | 'auditLogs' | 'communities' | 'buildings' | 'companies' | 'tickets'

const TEMPLATE_PATH: Record<G.ImportKind, string> = { BUILDINGS: 'buildings', UNITS: 'units', OWNERS: 'owners' }

export const downloadTemplate = (kind: G.ImportKind) =>
  download(`/api/import-templates/${TEMPLATE_PATH[kind]}.xlsx`, {}, `${TEMPLATE_PATH[kind]}-template.xlsx`)

export const exportList = (list: ExportList, params: QueryParams) => download(`/api/export/${list}.xlsx`, params, `${list}.xlsx`)

export const previewImport = (kind: G.ImportKind, file: File) =>
  upload(G.ImportPreviewDocument, { kind, file }, (d) => d.importPreview, { formFields: [] })

export const commitImport = (jobId: string) => mutate(G.ImportCommitDocument, { jobId }, (d) => d.importCommit, { formFields: [] })

export async function fetchImportJob(id: string): Promise<ImportJob | null> {
  const node = (await query(G.ImportJobDocument, { id }))?.node
  return node && node.__typename === 'ImportJob' ? node : null
}

export async function fetchImportRows(id: string, first: number, after: string | null, onlyErrors: boolean): Promise<ImportRowsPage | null> {
  const node = (await query(G.ImportRowsDocument, { id, first, after, onlyErrors }))?.node
  return node && node.__typename === 'ImportJob' ? node.rows : null
}

export const onImportProgress = (jobId: string, handler: (job: ImportJob) => void, onError: (code: string) => void) =>
  subscribe(G.ImportProgressDocument, { jobId }, (d) => handler(d.importProgress), onError)
