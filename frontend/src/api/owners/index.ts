/** Owners and residents: the list, one owner, a unit's residents, and the staff's changes to them. */
import * as G from '@/graphql/generated/graphql'
import { mutate, query } from '@/graphql/request'

export type OwnerRow = G.OwnersQuery['owners']['nodes'][number]
export type OwnerDetail = Extract<NonNullable<G.OwnerDetailQuery['node']>, { __typename: 'User' }>
export type UnitOption = G.OwnerUnitOptionsQuery['units']['nodes'][number]
export type UnitDetail = Extract<NonNullable<G.UnitDetailQuery['node']>, { __typename: 'Unit' }>

export const listOwners = (vars: G.OwnersQueryVariables) => query(G.OwnersDocument, vars)

export async function fetchOwner(id: string): Promise<OwnerDetail | null> {
  const node = (await query(G.OwnerDetailDocument, { id }))?.node
  return node && node.__typename === 'User' ? node : null
}

/** Units whose number starts with `search`, in the caller's communities (or one of them). */
export async function searchUnits(search: string, communityId: string | null): Promise<UnitOption[]> {
  const filter: G.UnitFilter = {}
  if (search.trim()) filter.search = search.trim()
  if (communityId) filter.communityId = communityId
  return (await query(G.OwnerUnitOptionsDocument, { filter, first: 30 }))?.units.nodes ?? []
}

/** A unit's facts, and its residents when the caller may see them (owner.read). */
export async function fetchUnit(id: string, withResidents: boolean): Promise<UnitDetail | null> {
  const node = (await query(G.UnitDetailDocument, { id, withResidents }))?.node
  return node && node.__typename === 'Unit' ? node : null
}

// Codes whose general text (errors.<CODE>) says less than these screens can.
const codeKeys = { DUPLICATE: 'owners.errors.DUPLICATE', NOT_BOUND: 'owners.errors.NOT_BOUND' }

export const createOwner = (input: G.OwnerCreateInput) =>
  mutate(G.OwnerCreateDocument, { input }, (d) => d.ownerCreate, { formFields: ['name', 'phone', 'units', 'unitId'], codeKeys })
export const updateOwner = (id: string, input: G.OwnerUpdateInput) =>
  mutate(G.OwnerUpdateDocument, { id, input }, (d) => d.ownerUpdate, { formFields: ['name'] })
export const addOwnerUnit = (ownerId: string, unitId: string, relation: G.Relation) =>
  mutate(G.OwnerUnitAddDocument, { ownerId, unitId, relation }, (d) => d.ownerUnitAdd, { formFields: ['unitId'], codeKeys })
export const removeBinding = (id: string, reason: string) =>
  mutate(G.BindingRemoveDocument, { id, reason }, (d) => d.bindingRemove, { formFields: ['reason'], codeKeys })
