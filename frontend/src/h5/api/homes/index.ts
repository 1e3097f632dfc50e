/** The owner's homes: their bindings, finding a unit, requests, invitations and the household. */
import { mutate, query, subscribe } from '@/h5/graphql/request'
import {
  H5BindingCancelDocument,
  H5BindingRequestDocument,
  H5HomeBindingsDocument,
  H5HomeBuildingsDocument,
  H5HomeCommunitiesDocument,
  H5HomeUnitDocument,
  H5HouseholdDocument,
  H5HouseholdMemberAddDocument,
  H5HouseholdMemberRemoveDocument,
  H5InvitationAcceptDocument,
  H5InvitationDeclineDocument,
  H5ViewerBindingEventsDocument,
  type BindingEventKind,
  type H5HomeBindingFragment,
  type H5HomeBuildingsQuery,
  type H5HomeCommunitiesQuery,
  type H5HomeUnitQuery,
  type H5HouseholdQuery,
  type Relation,
} from '@/graphql/generated/graphql'

export type HomeBinding = H5HomeBindingFragment
export type HomeCommunity = H5HomeCommunitiesQuery['homeCommunities'][number]
export type HomeBuilding = H5HomeBuildingsQuery['homeBuildings'][number]
export type HomeUnit = NonNullable<H5HomeUnitQuery['homeUnit']['unit']>
export type HouseholdMember = Extract<NonNullable<H5HouseholdQuery['node']>, { __typename: 'Unit' }>['household'][number]

/** The server answers [] below 2 characters; the screen does not ask. */
export const MIN_SEARCH = 2

/** The caller's own bindings (every status); null when the request failed (the request layer has told the user). */
export async function fetchMyBindings(): Promise<HomeBinding[] | null> {
  const data = await query(H5HomeBindingsDocument, {})
  return data?.viewer ? data.viewer.bindings : null
}

export async function searchCommunities(search: string): Promise<HomeCommunity[] | null> {
  const text = search.trim()
  if (text.length < MIN_SEARCH) return []
  const data = await query(H5HomeCommunitiesDocument, { search: text })
  return data ? data.homeCommunities : null
}

export async function fetchBuildings(communityId: string): Promise<HomeBuilding[] | null> {
  const data = await query(H5HomeBuildingsDocument, { communityId })
  return data ? data.homeBuildings : null
}

export type UnitLookup = { ok: true; unit: HomeUnit } | { ok: false; code: string | null }

/**
 * The unit with exactly this number. NOT_FOUND and RATE_LIMITED come back as codes for the screen to explain under
 * the field (they are answers, not failures); a failed request has no code (the request layer told the user).
 */
export async function findUnit(buildingId: string, number: string): Promise<UnitLookup> {
  const data = await query(H5HomeUnitDocument, { buildingId, number: number.trim() })
  if (!data) return { ok: false, code: null }
  const { unit, errors } = data.homeUnit
  if (unit && errors.length === 0) return { ok: true, unit }
  return { ok: false, code: errors[0]?.code ?? 'NOT_FOUND' }
}

export function requestBinding(unitId: string, relation: Relation) {
  return mutate(H5BindingRequestDocument, { unitId, relation }, (d) => d.bindingRequest, {
    codeKeys: { DUPLICATE: 'homes.find.duplicate' },
  })
}

export function cancelRequest(id: string) {
  return mutate(H5BindingCancelDocument, { id }, (d) => d.bindingCancel)
}

export function acceptInvitation(id: string) {
  return mutate(H5InvitationAcceptDocument, { id }, (d) => d.householdInvitationAccept)
}

export function declineInvitation(id: string) {
  return mutate(H5InvitationDeclineDocument, { id }, (d) => d.householdInvitationDecline)
}

/** The caller's bindings as they change (approved, rejected, invited, removed) while the screen is open. */
export function followMyBindings(onEvent: (kind: BindingEventKind, binding: HomeBinding) => void): () => void {
  return subscribe(H5ViewerBindingEventsDocument, {}, (d) => onEvent(d.viewerBindingEvents.kind, d.viewerBindingEvents.binding))
}

/** The household of a unit as its owner sees it; null when the request failed. */
export async function fetchHousehold(unitId: string): Promise<HouseholdMember[] | null> {
  const data = await query(H5HouseholdDocument, { unitId })
  if (!data) return null
  return data.node?.__typename === 'Unit' ? data.node.household : []
}

export const INVITE_FIELDS = ['phone', 'name', 'relation'] as const

export function inviteMember(unitId: string, phone: string, name: string, relation: Relation) {
  return mutate(H5HouseholdMemberAddDocument, { unitId, phone, name, relation }, (d) => d.householdMemberAdd, {
    formFields: INVITE_FIELDS,
  })
}

export function removeMember(id: string) {
  return mutate(H5HouseholdMemberRemoveDocument, { id }, (d) => d.householdMemberRemove)
}
