import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import * as Icons from '@element-plus/icons-vue'
import { i18n } from '@/locales'

// The console's note form uploads each picked photo through the shared upload (api/files), then sends their IDs.
const uploads = vi.hoisted(() => ({ pending: new Map<string, (outcome: { ok: true; id: string } | { ok: false; code: string }) => void>() }))
const notes = vi.hoisted(() => [] as { id: string; note: string; internal: boolean; fileIds: string[] }[])

vi.mock('@/api/files', () => ({
  uploadTicketPhoto: (file: File) => new Promise((done) => uploads.pending.set(file.name, done)),
}))
vi.mock('@/api/repairs', () => ({
  addTicketNote: async (id: string, note: string, internal: boolean, fileIds: string[]) => {
    notes.push({ id, note, internal, fileIds: [...fileIds] })
    return { ok: true, payload: { ticket: { id } } }
  },
}))

const NoteForm = (await import('@/views/repairs/modules/NoteForm.vue')).default

const photo = (name: string) => new File([new Uint8Array(100)], name, { type: 'image/jpeg' })

describe('NoteForm', () => {
  it('shows each photo uploading, waits for all of them, then sends the note with their IDs', async () => {
    URL.createObjectURL = () => 'blob:preview'
    URL.revokeObjectURL = () => undefined
    const wrapper = mount(NoteForm, { props: { ticketId: 'T1' }, global: { plugins: [ElementPlus, i18n], components: Icons } })
    await wrapper.find('textarea[data-test="note-text"], [data-test="note-text"] textarea').setValue('Replaced the washer')

    const input = wrapper.find('[data-test="note-photos"] input[type=file]')
    Object.defineProperty(input.element, 'files', { value: [photo('a.jpg'), photo('b.jpg')], configurable: true })
    await input.trigger('change')

    const states = () => wrapper.findAll('[data-test="work-photo"]').map((p) => p.attributes('data-state'))
    expect(states()).toEqual(['uploading', 'uploading'])
    const submit = () => wrapper.find('[data-test="note-submit"]')
    expect(submit().attributes('disabled')).toBeDefined()

    uploads.pending.get('a.jpg')?.({ ok: true, id: 'F1' })
    await flushPromises()
    expect(states()).toEqual(['done', 'uploading'])
    expect(submit().attributes('disabled')).toBeDefined()

    uploads.pending.get('b.jpg')?.({ ok: true, id: 'F2' })
    await flushPromises()
    expect(states()).toEqual(['done', 'done'])
    expect(submit().attributes('disabled')).toBeUndefined()

    await wrapper.find('[data-test="note-form"]').trigger('submit')
    await flushPromises()
    expect(notes).toEqual([{ id: 'T1', note: 'Replaced the washer', internal: false, fileIds: ['F1', 'F2'] }])
    expect(wrapper.emitted('added')).toHaveLength(1)
    expect(states()).toEqual([])
  })
})
