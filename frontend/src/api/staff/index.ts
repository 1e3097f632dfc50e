/** Staff members and role templates. */
import * as G from '@/graphql/generated/graphql'
import { mutate, query } from '@/graphql/request'

export type StaffRow = G.StaffMembersQuery['staffMembers']['nodes'][number]
export type RoleRow = G.RolesQuery['roles'][number]

const opts = { formFields: ['phone', 'name', 'title', 'password', 'grants'] }

export const listStaff = (vars: G.StaffMembersQueryVariables) => query(G.StaffMembersDocument, vars)
export const listRoles = async () => (await query(G.RolesDocument, {}))?.roles ?? []
export const createStaff = (input: G.StaffCreateInput) => mutate(G.StaffCreateDocument, { input }, (d) => d.staffCreate, opts)
export const updateStaff = (id: string, input: G.StaffUpdateInput) =>
  mutate(G.StaffUpdateDocument, { id, input }, (d) => d.staffUpdate, opts)
