import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import Vant from 'vant'
import { settleVantTimersAfterAll } from './support/vant'

settleVantTimersAfterAll()

const uploads = vi.hoisted(() => ({
  videos: [] as string[],
  finish: null as null | ((result: { ok: true; id: string } | { ok: false; codes: string[] }) => void),
  progress: null as null | ((f: number) => void),
}))
const toasts = vi.hoisted(() => [] as string[])

vi.mock('@/h5/api/repairs', () => ({
  uploadPhoto: vi.fn(),
  uploadVideo: vi.fn((file: File, onProgress: (f: number) => void) => {
    uploads.videos.push(file.name)
    uploads.progress = onProgress
    return new Promise((resolve) => {
      uploads.finish = resolve
    })
  }),
}))
vi.mock('vant', async (original) => ({
  ...(await original<typeof import('vant')>()),
  showToast: (text: string) => toasts.push(text),
}))

const { i18n } = await import('@/h5/locales')
const MediaPicker = (await import('@/h5/components/repairs/MediaPicker.vue')).default

function video(name: string, type: string, size: number): File {
  const file = new File([new Uint8Array(16)], name, { type })
  Object.defineProperty(file, 'size', { value: size })
  return file
}

async function choose(wrapper: ReturnType<typeof mount>, file: File) {
  const input = wrapper.get('[data-test="video-input"]').element as HTMLInputElement
  Object.defineProperty(input, 'files', { value: [file], configurable: true })
  await wrapper.get('[data-test="video-input"]').trigger('change')
  await flushPromises()
}

beforeEach(() => {
  uploads.videos = []
  toasts.length = 0
  i18n.global.locale.value = 'zh-CN'
})

describe('the video of a report', () => {
  it('is refused on the phone when the server would refuse it, before any upload', async () => {
    const wrapper = mount(MediaPicker, { global: { plugins: [i18n, Vant] } })
    await choose(wrapper, video('big.mp4', 'video/mp4', 50 * 1024 * 1024 + 1))
    await choose(wrapper, video('clip.webm', 'video/webm', 1024))
    expect(uploads.videos).toEqual([])
    expect(toasts).toEqual(['视频不能超过 50 MB，请剪短后再试', '视频只支持 MP4 或 MOV'])
    expect(wrapper.findAll('[data-test="media-video"]')).toHaveLength(0)
  })

  it('uploads as it is with its progress, then gives its id; a second one is refused', async () => {
    const wrapper = mount(MediaPicker, { global: { plugins: [i18n, Vant] } })
    const picker = wrapper.vm as unknown as { fileIds: string[]; busy: boolean; failed: boolean }
    await choose(wrapper, video('leak.mp4', 'video/mp4', 20 * 1024 * 1024))
    expect(uploads.videos).toEqual(['leak.mp4'])
    uploads.progress!(0.4)
    await flushPromises()
    expect(wrapper.get('[data-test="media-video"]').attributes('data-state')).toBe('uploading')
    expect(wrapper.get('[data-test="media-video"]').text()).toContain('40%')
    expect(picker.busy).toBe(true)

    uploads.finish!({ ok: true, id: 'F-video' })
    await flushPromises()
    expect(wrapper.get('[data-test="media-video"]').attributes('data-state')).toBe('done')
    expect(picker.fileIds).toEqual(['F-video'])
    expect(picker.busy).toBe(false)
    expect(wrapper.find('[data-test="add-video"]').exists()).toBe(false) // one video at most
  })

  it('marks a failed upload so the form will not send without it', async () => {
    const wrapper = mount(MediaPicker, { global: { plugins: [i18n, Vant] } })
    const picker = wrapper.vm as unknown as { fileIds: string[]; failed: boolean }
    await choose(wrapper, video('leak.mov', 'video/quicktime', 1024))
    uploads.finish!({ ok: false, codes: ['NETWORK'] })
    await flushPromises()
    expect(wrapper.get('[data-test="media-video"]').attributes('data-state')).toBe('failed')
    expect(picker.failed).toBe(true)
    expect(picker.fileIds).toEqual([])
  })
})
