/** The one request layer: every failure of a mutation or query reaches the person as one translated toast. */
import { CombinedError } from '@urql/vue'
import { GraphQLError } from 'graphql'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

// What the server answers to the next operation, and the toasts shown.
const answer = vi.hoisted(() => ({ result: {} as { data?: unknown; error?: unknown } }))
const shown = vi.hoisted(() => [] as string[])
const fetched = vi.hoisted(() => ({ impl: (async () => new Response('{}')) as typeof fetch }))

vi.mock('@/graphql/client', () => ({
  getClient: () => ({
    mutation: () => ({ toPromise: async () => answer.result }),
    query: () => ({ toPromise: async () => answer.result }),
  }),
  authFetch: () => fetched.impl,
}))
vi.mock('element-plus', () => ({ ElMessage: (o: { message: string }) => shown.push(o.message) }))

const { i18n } = await import('@/locales')
const { deleteBuilding, deleteUnit, createBuilding, listCommunities } = await import('@/api/tenancy')
const { approveBinding } = await import('@/api/bindings')
const { disableCompany } = await import('@/api/platform')
const { uploadTicketPhoto } = await import('@/api/files')

const setLocale = (lang: 'zh-CN' | 'en') => {
  ;(i18n.global.locale as unknown as { value: string }).value = lang
}

let clock = 0
beforeEach(() => {
  shown.length = 0
  setLocale('zh-CN')
  // The layer folds the same text repeated within 1.5 s into one toast: give each test its own time.
  clock += 10_000
  vi.spyOn(Date, 'now').mockReturnValue(clock)
})
afterEach(() => {
  vi.restoreAllMocks()
})

const payload = (name: string, errors: { field: string | null; message: string; code: string }[]) => ({
  data: { [name]: { deletedId: null, errors } },
})

describe('payload errors', () => {
  it('show a building still in use as a toast saying what to do, in the person’s language', async () => {
    answer.result = payload('buildingDelete', [{ field: 'id', message: 'Delete its units first', code: 'IN_USE' }])
    const result = await deleteBuilding('B1')
    expect(result).toEqual({ ok: false, fields: {}, codes: ['IN_USE'] })
    expect(shown).toEqual(['该楼栋下还有房屋：请先删除房屋。'])

    shown.length = 0
    clock += 10_000
    setLocale('en')
    await deleteBuilding('B1')
    expect(shown).toEqual(['This building still has units: delete its units first.'])
  })

  it('toast errors on a field when the caller names no form fields (delete, approve, disable)', async () => {
    answer.result = payload('unitDelete', [{ field: 'id', message: 'x', code: 'NOT_FOUND' }])
    await deleteUnit('U1')
    answer.result = payload('bindingApprove', [{ field: 'id', message: 'y', code: 'NOT_PENDING' }])
    clock += 10_000
    await approveBinding('BD1')
    answer.result = payload('companyDisable', [{ field: 'id', message: 'Server words', code: 'SOME_NEW_CODE' }])
    clock += 10_000
    await disableCompany('C1')
    expect(shown).toEqual(['未找到', '该申请已处理', 'Server words'])
  })

  it('keep errors on fields the form shows for the form, and toast the rest', async () => {
    answer.result = {
      data: {
        buildingCreate: {
          building: null,
          errors: [
            { field: 'input.name', message: 'n', code: 'DUPLICATE' },
            { field: 'communityId', message: 'c', code: 'FORBIDDEN' },
          ],
        },
      },
    }
    const result = await createBuilding('C1', { name: 'A', floors: 3 })
    expect(result).toEqual({ ok: false, fields: { name: '已存在' }, codes: ['DUPLICATE', 'FORBIDDEN'] })
    expect(shown).toEqual(['没有权限执行此操作'])
  })

  it('succeed quietly when the payload has no errors', async () => {
    answer.result = { data: { buildingDelete: { deletedId: 'B1', errors: [] } } }
    expect(await deleteBuilding('B1')).toMatchObject({ ok: true })
    expect(shown).toEqual([])
  })
})

describe('GraphQL and network errors', () => {
  it('translate a top-level GraphQL error by its code', async () => {
    answer.result = { error: new CombinedError({ graphQLErrors: [new GraphQLError('nope', { extensions: { code: 'FORBIDDEN' } })] }) }
    expect(await deleteBuilding('B1')).toEqual({ ok: false, fields: {}, codes: ['FORBIDDEN'] })
    expect(await listCommunities({ first: 10 })).toBeNull()
    expect(shown).toEqual(['没有权限执行此操作'])
  })

  it('fall back to the server’s message for an unknown code, and say the session ended for token codes', async () => {
    answer.result = { error: new CombinedError({ graphQLErrors: [new GraphQLError('Odd thing', { extensions: { code: 'ODD' } })] }) }
    await deleteBuilding('B1')
    clock += 10_000
    answer.result = { error: new CombinedError({ graphQLErrors: [new GraphQLError('x', { extensions: { code: 'TOKEN_REVOKED' } })] }) }
    await deleteBuilding('B1')
    expect(shown).toEqual(['Odd thing', '登录已过期，请重新登录'])
  })

  it('say the server cannot be reached on a network failure, once for several failing together', async () => {
    answer.result = { error: new CombinedError({ networkError: new Error('Failed to fetch') }) }
    expect(await deleteBuilding('B1')).toEqual({ ok: false, fields: {}, codes: ['NETWORK'] })
    await listCommunities({ first: 10 })
    expect(shown).toEqual(['无法连接服务器，请检查网络'])
    setLocale('en')
    clock += 10_000
    await listCommunities({ first: 10 })
    expect(shown[1]).toMatch(/server/i)
  })

  it('report an upload that cannot reach the server', async () => {
    fetched.impl = async () => {
      throw new TypeError('Failed to fetch')
    }
    expect(await uploadTicketPhoto(new File(['x'], 'a.jpg', { type: 'image/jpeg' }))).toEqual({ ok: false, code: 'NETWORK' })
    expect(shown).toEqual(['无法连接服务器，请检查网络'])
  })
})
