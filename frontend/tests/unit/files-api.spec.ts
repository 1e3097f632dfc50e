import { beforeEach, describe, expect, it, vi } from 'vitest'
import manifest from '@/graphql/generated/persisted-documents.json'

// What the server answers to the next multipart request, and the toasts shown.
const answer = vi.hoisted(() => ({ status: 200, body: null as unknown, throws: false }))
const sent = vi.hoisted(() => [] as FormData[])
const shown = vi.hoisted(() => [] as string[])

vi.mock('@/graphql/client', () => ({
  getClient: () => ({}),
  authFetch: () => async (_url: string, init: { body: FormData }) => {
    sent.push(init.body)
    if (answer.throws) throw new TypeError('offline')
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } })
  },
}))
vi.mock('element-plus', () => ({ ElMessage: (o: { message: string }) => shown.push(o.message) }))

const { uploadTicketPhoto } = await import('@/api/files')

const photo = () => new File([new Uint8Array(10)], 'leak.jpg', { type: 'image/jpeg' })

beforeEach(() => {
  Object.assign(answer, { status: 200, body: null, throws: false })
  sent.length = 0
  shown.length = 0
})

describe('uploadTicketPhoto', () => {
  it('sends the photo as a work photo and answers with the stored file ID', async () => {
    answer.body = { data: { fileUpload: { file: { id: 'F1', url: '/files/F1', kind: 'IMAGE', contentType: 'image/jpeg' }, errors: [] } } }
    expect(await uploadTicketPhoto(photo())).toEqual({ ok: true, id: 'F1' })
    const operations = JSON.parse(sent[0].get('operations') as string) as { documentId: string; query?: string; variables: Record<string, unknown> }
    // sent by its trusted id, the document itself only in the manifest the server loads
    expect(operations.query).toBeUndefined()
    expect((manifest as Record<string, string>)[operations.documentId]).toContain('TICKET_WORK_PHOTO')
    expect(operations.variables).toEqual({ file: null })
    expect((sent[0].get('0') as File).name).toBe('leak.jpg')
  })

  it('answers a refusal with its code (and toasts it)', async () => {
    answer.body = { data: { fileUpload: { file: null, errors: [{ field: 'file', message: 'too big', code: 'FILE_TOO_LARGE' }] } } }
    expect(await uploadTicketPhoto(photo())).toEqual({ ok: false, code: 'FILE_TOO_LARGE' })
    expect(shown).toHaveLength(1)
  })

  it('answers NETWORK when the request does not get through', async () => {
    answer.throws = true
    expect(await uploadTicketPhoto(photo())).toEqual({ ok: false, code: 'NETWORK' })
  })
})
