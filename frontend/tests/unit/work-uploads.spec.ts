import { describe, expect, it, vi } from 'vitest'
import { createPhotoUploads, isPhoto, type UploadOutcome } from '@/domains/repairs/photos'

const photo = (name: string, size = 1000, type = 'image/jpeg') => new File([new Uint8Array(size)], name, { type })

/** An upload whose answer the test gives later, per file name. */
function controlledUpload() {
  const waiting = new Map<string, (o: UploadOutcome) => void>()
  const upload = vi.fn((file: File) => new Promise<UploadOutcome>((resolve) => waiting.set(file.name, resolve)))
  const answer = async (name: string, outcome: UploadOutcome) => {
    waiting.get(name)?.(outcome)
    waiting.delete(name)
    await new Promise((r) => setTimeout(r, 0))
  }
  return { upload, answer, waiting }
}

const deps = { preview: (f: File) => `blob:${f.name}`, revoke: vi.fn() }

describe('work photo uploads', () => {
  it('uploads two at a time and collects the IDs in the order the photos were picked', async () => {
    const { upload, answer } = controlledUpload()
    const u = createPhotoUploads({ ...deps, upload })
    expect(u.add([photo('a.jpg'), photo('b.jpg'), photo('c.jpg')])).toEqual([])
    expect(upload).toHaveBeenCalledTimes(2)
    expect(u.items.value.map((i) => i.state)).toEqual(['uploading', 'uploading', 'queued'])
    expect(u.ready.value).toBe(false)

    await answer('b.jpg', { ok: true, id: 'F2' })
    expect(upload).toHaveBeenCalledTimes(3) // c starts when b is done
    await answer('c.jpg', { ok: true, id: 'F3' })
    await answer('a.jpg', { ok: true, id: 'F1' })
    expect(u.fileIds.value).toEqual(['F1', 'F2', 'F3'])
    expect(u.uploaded.value).toBe(3)
    expect(u.ready.value).toBe(true)
  })

  it('refuses what the API would refuse, before sending it', () => {
    const { upload } = controlledUpload()
    const u = createPhotoUploads({ ...deps, upload, max: 2 })
    const refused = u.add([
      photo('doc.pdf', 10, 'application/pdf'),
      photo('huge.jpg', 10 * 1024 * 1024 + 1),
      photo('one.png', 10, 'image/png'),
      photo('two.heic', 10, ''),
      photo('three.jpg'),
    ])
    expect(refused).toEqual([
      { name: 'doc.pdf', code: 'UNSUPPORTED_TYPE' },
      { name: 'huge.jpg', code: 'FILE_TOO_LARGE' },
      { name: 'three.jpg', code: 'TOO_MANY_FILES' },
    ])
    expect(u.items.value.map((i) => i.name)).toEqual(['one.png', 'two.heic'])
    expect(u.full.value).toBe(true)
  })

  it('blocks sending while a photo failed, until it is retried or removed', async () => {
    const { upload, answer } = controlledUpload()
    const u = createPhotoUploads({ ...deps, upload })
    u.add([photo('a.jpg'), photo('b.jpg')])
    await answer('a.jpg', { ok: false, code: 'RATE_LIMITED' })
    await answer('b.jpg', { ok: true, id: 'F2' })
    expect(u.failed.value).toBe(1)
    expect(u.items.value[0].code).toBe('RATE_LIMITED')
    expect(u.ready.value).toBe(false)

    u.retry(u.items.value[0].key)
    expect(u.items.value[0].state).toBe('uploading')
    await answer('a.jpg', { ok: true, id: 'F1' })
    expect(u.ready.value).toBe(true)
    expect(u.fileIds.value).toEqual(['F1', 'F2'])
  })

  it('forgets a photo removed while uploading, and frees its thumbnail', async () => {
    const { upload, answer } = controlledUpload()
    const revoke = vi.fn()
    const u = createPhotoUploads({ ...deps, revoke, upload })
    u.add([photo('a.jpg'), photo('b.jpg')])
    u.remove(u.items.value[0].key)
    expect(revoke).toHaveBeenCalledWith('blob:a.jpg')
    await answer('a.jpg', { ok: true, id: 'F1' })
    await answer('b.jpg', { ok: true, id: 'F2' })
    expect(u.fileIds.value).toEqual(['F2'])
    u.clear()
    expect(u.items.value).toEqual([])
    expect(revoke).toHaveBeenCalledWith('blob:b.jpg')
  })

  it('turns a thrown upload into a failed photo', async () => {
    const u = createPhotoUploads({ ...deps, upload: () => Promise.reject(new Error('offline')) })
    u.add([photo('a.jpg')])
    await new Promise((r) => setTimeout(r, 0))
    expect(u.items.value[0]).toMatchObject({ state: 'failed', code: 'NETWORK' })
  })

  it('knows a photo by its type, or by its name when the phone gives no type', () => {
    expect(isPhoto({ type: 'image/webp', name: 'x' })).toBe(true)
    expect(isPhoto({ type: '', name: 'IMG_1.HEIC' })).toBe(true)
    expect(isPhoto({ type: 'image/gif', name: 'x.gif' })).toBe(false)
    expect(isPhoto({ type: 'video/mp4', name: 'x.jpg' })).toBe(false)
  })
})
