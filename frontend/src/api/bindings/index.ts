/** The binding approval queue. */
import * as G from '@/graphql/generated/graphql'
import { mutate, query, subscribe } from '@/graphql/request'

export type BindingRow = G.BindingsQuery['bindings']['nodes'][number]

export const listBindings = (vars: G.BindingsQueryVariables) => query(G.BindingsDocument, vars)
export const approveBinding = (id: string) => mutate(G.BindingApproveDocument, { id }, (d) => d.bindingApprove)
export const rejectBinding = (id: string, reason: string) =>
  mutate(G.BindingRejectDocument, { id, reason }, (d) => d.bindingReject, { formFields: ['reason'] })
export const onBindingEvents = (communityId: string | null, handler: () => void) =>
  subscribe(G.BindingEventsDocument, { communityId }, handler)
