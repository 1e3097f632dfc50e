/** Owners and residents. */
import * as G from '@/graphql/generated/graphql'
import { query } from '@/graphql/request'

export type OwnerRow = G.OwnersQuery['owners']['nodes'][number]
export type OwnerDetail = Extract<NonNullable<G.OwnerDetailQuery['node']>, { __typename: 'User' }>

export const listOwners = (vars: G.OwnersQueryVariables) => query(G.OwnersDocument, vars)

export async function fetchOwner(id: string): Promise<OwnerDetail | null> {
  const node = (await query(G.OwnerDetailDocument, { id }))?.node
  return node && node.__typename === 'User' ? node : null
}
