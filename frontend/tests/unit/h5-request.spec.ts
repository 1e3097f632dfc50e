/** The owner app's request layer: every failure becomes one translated toast and a code; uploads refresh once. */
import { CombinedError } from '@urql/vue'
import { GraphQLError } from 'graphql'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const answer = vi.hoisted(() => ({ result: {} as { data?: unknown; error?: unknown } }))
const shown = vi.hoisted(() => [] as string[])

vi.mock('@/graphql/client', () => ({
  getClient: () => ({
    mutation: () => ({ toPromise: async () => answer.result }),
    query: () => ({ toPromise: async () => answer.result }),
  }),
  onSessionEnded: () => undefined,
}))
vi.mock('vant', () => ({ showFailToast: (o: { message: string }) => shown.push(o.message) }))

const { setLocale } = await import('@/h5/locales')
const { mutate, query, upload, setUploadTransport, onH5SessionEnded } = await import('@/h5/graphql/request')
const { H5FileUploadDocument } = await import('@/graphql/generated/graphql')
const { useAuthStore } = await import('@/stores/auth')

// Any typed document will do for query/mutate: the client is mocked.
const doc = H5FileUploadDocument
type Payload = { errors: { field: string | null; message: string; code: string }[] }

let clock = 0
beforeEach(() => {
  setActivePinia(createPinia())
  shown.length = 0
  setLocale('zh-CN')
  clock += 10_000
  vi.spyOn(Date, 'now').mockReturnValue(clock)
})
afterEach(() => {
  vi.restoreAllMocks()
  setUploadTransport(null)
  localStorage.clear()
})

const file = new File(['x'], 'a.jpg', { type: 'image/jpeg' })

describe('mutations', () => {
  it('return the payload when it carries no errors', async () => {
    answer.result = { data: { thing: { errors: [], id: 'T1' } } }
    const r = await mutate(doc, { file, purpose: 'TICKET_PHOTO' }, (d) => (d as unknown as { thing: Payload }).thing)
    expect(r).toEqual({ ok: true, payload: { errors: [], id: 'T1' } })
    expect(shown).toEqual([])
  })

  it('keep errors on the fields a form shows and toast the rest, translated', async () => {
    answer.result = {
      data: {
        thing: {
          errors: [
            { field: 'input.code', message: 'x', code: 'CODE_INVALID' },
            { field: null, message: 'y', code: 'RATE_LIMITED' },
          ],
        },
      },
    }
    const pick = (d: unknown) => (d as { thing: Payload }).thing
    const r = await mutate(doc, { file, purpose: 'TICKET_PHOTO' }, pick, { formFields: ['code'] })
    expect(r).toEqual({ ok: false, fields: { code: '验证码错误' }, codes: ['CODE_INVALID', 'RATE_LIMITED'] })
    expect(shown).toEqual(['操作太频繁，请稍后再试'])

    shown.length = 0
    clock += 10_000
    setLocale('en')
    await mutate(doc, { file, purpose: 'TICKET_PHOTO' }, pick)
    expect(shown).toEqual(['Wrong code；Too many attempts; please wait and try again'])
  })

  it('toast a top-level error by its code, never the stack or raw text of a known code', async () => {
    answer.result = { error: new CombinedError({ graphQLErrors: [new GraphQLError('boom', { extensions: { code: 'FORBIDDEN' } })] }) }
    const r = await mutate(doc, { file, purpose: 'TICKET_PHOTO' }, (d) => (d as unknown as { thing: Payload }).thing)
    expect(r).toEqual({ ok: false, fields: {}, codes: ['FORBIDDEN'] })
    expect(shown).toEqual(['没有权限执行此操作'])
  })
})

describe('queries', () => {
  it('return null and toast once on a network failure', async () => {
    answer.result = { error: new CombinedError({ networkError: new Error('offline') }) }
    expect(await query(doc, { file, purpose: 'TICKET_PHOTO' })).toBeNull()
    expect(await query(doc, { file, purpose: 'TICKET_PHOTO' })).toBeNull()
    expect(shown).toEqual(['无法连接服务器，请检查网络'])
  })

  it('say the session ended for an expired or revoked token', async () => {
    answer.result = { error: new CombinedError({ graphQLErrors: [new GraphQLError('x', { extensions: { code: 'TOKEN_REVOKED' } })] }) }
    expect(await query(doc, { file, purpose: 'TICKET_PHOTO' })).toBeNull()
    expect(shown).toEqual(['登录已过期，请重新登录'])
  })
})

describe('uploads', () => {
  const ok = { status: 200, body: { data: { fileUpload: { file: { id: 'F1' }, errors: [] } } } }

  it('send a multipart request with the token and the CSRF header, and report progress to the end', async () => {
    localStorage.setItem('courtyard.accessToken', 'tok-1')
    setActivePinia(createPinia())
    const seen: { headers: Record<string, string>; operations: string; map: string }[] = []
    setUploadTransport(async (body, headers, onProgress) => {
      onProgress?.(0.5)
      seen.push({ headers, operations: String(body.get('operations')), map: String(body.get('map')) })
      return ok
    })
    const progress: number[] = []
    const r = await upload(new Blob(['img'], { type: 'image/jpeg' }), 'me.jpg', 'TICKET_PHOTO', (f) => progress.push(f))
    expect(r).toEqual({ ok: true, id: 'F1' })
    expect(progress).toEqual([0.5, 1])
    expect(seen[0].headers.authorization).toBe('Bearer tok-1')
    expect(seen[0].headers['x-courtyard-csrf']).toBe('1')
    const operations = JSON.parse(seen[0].operations)
    expect(operations.variables).toEqual({ file: null, purpose: 'TICKET_PHOTO' })
    // sent by its trusted id, not its text
    expect(operations.documentId).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(operations.query).toBeUndefined()
    expect(JSON.parse(seen[0].map)).toEqual({ 0: ['variables.file'] })
  })

  it('refresh an expired token once and send again', async () => {
    localStorage.setItem('courtyard.accessToken', 'old')
    setActivePinia(createPinia())
    const auth = useAuthStore()
    const refresh = vi.spyOn(auth, 'refresh').mockImplementation(async () => {
      auth.setTokens({ accessToken: 'new', refreshToken: 'r2', expiresIn: 900 })
      return true
    })
    const tokens: string[] = []
    setUploadTransport(async (_body, headers) => {
      tokens.push(headers.authorization)
      return tokens.length === 1
        ? { status: 200, body: { errors: [{ message: 'expired', extensions: { code: 'TOKEN_EXPIRED' } }] } }
        : ok
    })
    expect(await upload(file, 'a.jpg', 'TICKET_PHOTO')).toEqual({ ok: true, id: 'F1' })
    expect(tokens).toEqual(['Bearer old', 'Bearer new'])
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(shown).toEqual([])
  })

  it('end the session when the token cannot be refreshed', async () => {
    localStorage.setItem('courtyard.accessToken', 'old')
    setActivePinia(createPinia())
    vi.spyOn(useAuthStore(), 'refresh').mockResolvedValue(false)
    const ended: string[] = []
    onH5SessionEnded((code) => ended.push(code))
    setUploadTransport(async () => ({ status: 200, body: { errors: [{ message: 'e', extensions: { code: 'TOKEN_EXPIRED' } }] } }))
    expect(await upload(file, 'a.jpg', 'TICKET_PHOTO')).toEqual({ ok: false, codes: ['TOKEN_EXPIRED'] })
    expect(ended).toEqual(['TOKEN_EXPIRED'])
    expect(shown).toEqual(['登录已过期，请重新登录'])
  })

  it('map refusals to codes and translated toasts: payload errors, a bare 413, a dropped network', async () => {
    setUploadTransport(async () => ({ status: 200, body: { data: { fileUpload: { file: null, errors: [{ field: 'file', message: 'm', code: 'UNSUPPORTED_TYPE' }] } } } }))
    expect(await upload(file, 'a.jpg', 'TICKET_PHOTO')).toEqual({ ok: false, codes: ['UNSUPPORTED_TYPE'] })
    setUploadTransport(async () => ({ status: 413, body: null }))
    clock += 10_000
    expect(await upload(file, 'a.jpg', 'TICKET_PHOTO')).toEqual({ ok: false, codes: ['FILE_TOO_LARGE'] })
    setUploadTransport(async () => {
      throw new Error('network')
    })
    clock += 10_000
    expect(await upload(file, 'a.jpg', 'TICKET_PHOTO')).toEqual({ ok: false, codes: ['NETWORK'] })
    expect(shown).toEqual([
      '不支持的文件类型：照片请用 JPEG、PNG、WebP 或 HEIC，视频请用 MP4 或 MOV',
      '文件太大：照片至多 10 MB，视频至多 50 MB',
      '无法连接服务器，请检查网络',
    ])
  })
})
