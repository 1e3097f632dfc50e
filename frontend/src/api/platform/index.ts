/** Platform console: companies, role templates, platform administrators. */
import * as G from '@/graphql/generated/graphql'
import { mutate, query } from '@/graphql/request'

export type CompanyRow = G.CompaniesQuery['companies']['nodes'][number]
export type AdminRow = G.PlatformAdminsQuery['platformAdmins'][number]
export type PermissionRow = G.PermissionsQuery['permissions'][number]

const opts = { formFields: ['name', 'adminPhone', 'adminName', 'adminPassword', 'phone', 'password', 'permissions'] }

export const listCompanies = (vars: G.CompaniesQueryVariables) => query(G.CompaniesDocument, vars)
export const createCompany = (input: G.CompanyCreateInput) => mutate(G.CompanyCreateDocument, { input }, (d) => d.companyCreate, opts)
export const disableCompany = (id: string) => mutate(G.CompanyDisableDocument, { id }, (d) => d.companyDisable)
export const enableCompany = (id: string) => mutate(G.CompanyEnableDocument, { id }, (d) => d.companyEnable)
export const updateRole = (id: string, input: G.RoleUpdateInput) => mutate(G.RoleUpdateDocument, { id, input }, (d) => d.roleUpdate, opts)
export const listPlatformAdmins = async () => (await query(G.PlatformAdminsDocument, {}))?.platformAdmins ?? []
export const createPlatformAdmin = (phone: string, name: string, password: string) =>
  mutate(G.PlatformAdminCreateDocument, { phone, name, password }, (d) => d.platformAdminCreate, opts)
/** Every permission a role can hold, with its domain group and descriptions, as the server lists them. */
export const listPermissions = async (): Promise<PermissionRow[]> => (await query(G.PermissionsDocument, {}))?.permissions ?? []
