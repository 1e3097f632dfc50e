/** The audit log. */
import * as G from '@/graphql/generated/graphql'
import { query } from '@/graphql/request'

export type AuditRow = G.AuditLogsQuery['auditLogs']['nodes'][number]

export const listAuditLogs = (vars: G.AuditLogsQueryVariables) => query(G.AuditLogsDocument, vars)
