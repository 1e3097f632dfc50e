/**
 * The e2e backend runs with TRUSTED_DOCUMENTS=owners (support/global-setup.ts): an owner's ad-hoc document is refused
 * with TRUSTED_DOCUMENT_REQUIRED, the same document registered for app `e2e` (support/api.ts gql) runs by id, and
 * staff may still send text. Every other scenario proves the console and the owner app work that way.
 */
import { describe, expect, inject, it } from 'vitest'
import { documentIdOf, gql, gqlById, gqlText, login } from './support/api'
import { DEMO } from './support/env'

describe('trusted documents', () => {
  const baseURL = inject('baseURL')
  const count = 'query E2ETrustedCount { unreadNotificationCount }'

  it('refuses an owner’s ad-hoc document and runs the same one registered, by id', async () => {
    const owner = await login(baseURL, DEMO.owner)
    const adhoc = await gqlText<{ unreadNotificationCount: number }>(baseURL, count, {}, owner)
    expect(adhoc.data ?? null).toBeNull()
    expect(adhoc.errors?.map((e) => e.extensions?.code)).toEqual(['TRUSTED_DOCUMENT_REQUIRED'])

    const unknown = await gqlById(baseURL, documentIdOf(`${count}  `), {}, owner)
    expect(unknown.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND'])

    const registered = await gql<{ unreadNotificationCount: number }>(baseURL, count, {}, owner)
    expect(registered.errors).toBeUndefined()
    expect(typeof registered.data?.unreadNotificationCount).toBe('number')

    const staff = await login(baseURL, DEMO.companyAdmin)
    const staffText = await gqlText<{ __typename: string }>(baseURL, 'query E2EStaffText { __typename }', {}, staff)
    expect(staffText.data).toEqual({ __typename: 'Query' })
  })
})
