/** Communities, buildings and units. */
import * as G from '@/graphql/generated/graphql'
import { mutate, query } from '@/graphql/request'

export type CommunityRow = G.CommunitiesQuery['communities']['nodes'][number]
export type BuildingRow = G.BuildingsQuery['buildings']['nodes'][number]
export type UnitRow = G.UnitsQuery['units']['nodes'][number]

const FIELDS = ['name', 'address', 'timezone', 'floors', 'number', 'floor', 'area', 'type', 'floorFrom', 'floorTo', 'perFloor']
const opts = { formFields: FIELDS }
// IN_USE means a different thing to do next for each level: say which.
const inUse = (key: string) => ({ codeKeys: { IN_USE: `tenancy.inUse.${key}` } })

export const listCommunities = (vars: G.CommunitiesQueryVariables) => query(G.CommunitiesDocument, vars)
export const listBuildings = (communityId: string, after: string | null = null) =>
  query(G.BuildingsDocument, { communityId, first: 100, after })
export const listUnits = (vars: G.UnitsQueryVariables) => query(G.UnitsDocument, vars)

export const createCommunity = (input: G.CommunityInput) => mutate(G.CommunityCreateDocument, { input }, (d) => d.communityCreate, opts)
export const updateCommunity = (id: string, input: G.CommunityInput) =>
  mutate(G.CommunityUpdateDocument, { id, input }, (d) => d.communityUpdate, opts)
export const deleteCommunity = (id: string) => mutate(G.CommunityDeleteDocument, { id }, (d) => d.communityDelete, inUse('community'))

export const createBuilding = (communityId: string, input: G.BuildingInput) =>
  mutate(G.BuildingCreateDocument, { communityId, input }, (d) => d.buildingCreate, opts)
export const updateBuilding = (id: string, input: G.BuildingInput) =>
  mutate(G.BuildingUpdateDocument, { id, input }, (d) => d.buildingUpdate, opts)
export const deleteBuilding = (id: string) => mutate(G.BuildingDeleteDocument, { id }, (d) => d.buildingDelete, inUse('building'))

export const createUnit = (buildingId: string, input: G.UnitInput) =>
  mutate(G.UnitCreateDocument, { buildingId, input }, (d) => d.unitCreate, opts)
export const updateUnit = (id: string, input: G.UnitInput) => mutate(G.UnitUpdateDocument, { id, input }, (d) => d.unitUpdate, opts)
export const deleteUnit = (id: string) => mutate(G.UnitDeleteDocument, { id }, (d) => d.unitDelete, inUse('unit'))
export const bulkCreateUnits = (input: G.UnitBulkInput) => mutate(G.UnitBulkCreateDocument, { input }, (d) => d.unitBulkCreate, opts)
