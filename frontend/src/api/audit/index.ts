/** The audit log and the actions it records (with their labels). */
import * as G from '@/graphql/generated/graphql'
import { query } from '@/graphql/request'

export type AuditRow = G.AuditLogsQuery['auditLogs']['nodes'][number]
export type AuditTarget = NonNullable<AuditRow['target']>
export type AuditActionRow = G.AuditActionsQuery['auditActions'][number]

export const listAuditLogs = (vars: G.AuditLogsQueryVariables) => query(G.AuditLogsDocument, vars)
export const listAuditActions = async (): Promise<AuditActionRow[]> => (await query(G.AuditActionsDocument, {}))?.auditActions ?? []
