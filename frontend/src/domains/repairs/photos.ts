/**
 * The photos of a note or a completion (the console's note form, the phone's step sheet): each is uploaded as soon as
 * it is picked, two at a time, with its own state, so the step itself only sends their IDs. A photo may be removed or
 * retried before the step is sent.
 */
import { computed, ref } from 'vue'
import { uploadTicketPhoto, type UploadOutcome } from '@/api/files'
import { MAX_PHOTOS } from './tickets'

export type PhotoState = 'queued' | 'uploading' | 'done' | 'failed'

export interface PhotoItem {
  key: number
  name: string
  /** Object URL of the picked file, for the thumbnail. */
  preview: string
  state: PhotoState
  fileId: string | null
  /** The API's code when the upload failed. */
  code: string
}

export type { UploadOutcome }

export interface PhotoUploadDeps {
  /** Defaults to the API's photo upload; tests pass their own. */
  upload?: (file: File) => Promise<UploadOutcome>
  preview?: (file: File) => string
  revoke?: (url: string) => void
  max?: number
  /** The API's limit for photos; bigger ones are refused before a byte is sent. */
  maxBytes?: number
  concurrency?: number
}

export interface Refused {
  name: string
  code: 'TOO_MANY_FILES' | 'UNSUPPORTED_TYPE' | 'FILE_TOO_LARGE'
}

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024
const PHOTO_TYPES = /^image\/(jpeg|png|webp|heic|heif)$/
// Some phones give HEIC photos no media type: the name tells.
const PHOTO_NAMES = /\.(jpe?g|png|webp|heic|heif)$/i

export function isPhoto(file: Pick<File, 'type' | 'name'>): boolean {
  return PHOTO_TYPES.test(file.type) || (!file.type && PHOTO_NAMES.test(file.name))
}

export function createPhotoUploads(deps: PhotoUploadDeps = {}) {
  const upload = deps.upload ?? uploadTicketPhoto
  const max = deps.max ?? MAX_PHOTOS
  const maxBytes = deps.maxBytes ?? MAX_PHOTO_BYTES
  const concurrency = deps.concurrency ?? 2
  const preview = deps.preview ?? ((f: File) => URL.createObjectURL(f))
  const revoke = deps.revoke ?? ((url: string) => URL.revokeObjectURL(url))
  const items = ref<PhotoItem[]>([])
  const files = new Map<number, File>()
  let nextKey = 1

  const find = (key: number) => items.value.find((i) => i.key === key)
  const uploading = computed(() => items.value.filter((i) => i.state === 'uploading' || i.state === 'queued').length)
  const failed = computed(() => items.value.filter((i) => i.state === 'failed').length)
  const uploaded = computed(() => items.value.filter((i) => i.state === 'done').length)
  /** IDs of the uploaded photos, in the order they were picked. */
  const fileIds = computed(() => items.value.filter((i) => i.state === 'done' && i.fileId).map((i) => i.fileId as string))
  /** Nothing is still uploading and nothing failed: the step may be sent. */
  const ready = computed(() => uploading.value === 0 && failed.value === 0)
  const full = computed(() => items.value.length >= max)

  async function run(key: number): Promise<void> {
    const item = find(key)
    const file = files.get(key)
    if (!item || !file) return
    item.state = 'uploading'
    let outcome: UploadOutcome
    try {
      outcome = await upload(file)
    } catch {
      outcome = { ok: false, code: 'NETWORK' }
    }
    const still = find(key) // removed while it was uploading: forget the result
    if (still) {
      if (outcome.ok) Object.assign(still, { state: 'done', fileId: outcome.id, code: '' })
      else Object.assign(still, { state: 'failed', code: outcome.code })
    }
    pump()
  }

  function pump(): void {
    let running = items.value.filter((i) => i.state === 'uploading').length
    for (const item of items.value) {
      if (running >= concurrency) break
      if (item.state !== 'queued') continue
      running += 1
      void run(item.key)
    }
  }

  /** Take picked files: photos within the limits are queued and uploaded; the rest come back with the reason. */
  function add(picked: readonly File[]): Refused[] {
    const refused: Refused[] = []
    for (const file of picked) {
      if (items.value.length >= max) refused.push({ name: file.name, code: 'TOO_MANY_FILES' })
      else if (!isPhoto(file)) refused.push({ name: file.name, code: 'UNSUPPORTED_TYPE' })
      else if (file.size > maxBytes) refused.push({ name: file.name, code: 'FILE_TOO_LARGE' })
      else {
        const key = nextKey++
        files.set(key, file)
        items.value.push({ key, name: file.name, preview: preview(file), state: 'queued', fileId: null, code: '' })
      }
    }
    pump()
    return refused
  }

  function remove(key: number): void {
    const item = find(key)
    if (!item) return
    revoke(item.preview)
    files.delete(key)
    items.value = items.value.filter((i) => i.key !== key)
    pump()
  }

  function retry(key: number): void {
    const item = find(key)
    if (!item || item.state !== 'failed') return
    Object.assign(item, { state: 'queued', code: '' })
    pump()
  }

  /** Forget every photo (after the step was sent, or when the sheet is closed). */
  function clear(): void {
    for (const item of items.value) revoke(item.preview)
    files.clear()
    items.value = []
  }

  return { items, uploading, failed, uploaded, fileIds, ready, full, max, add, remove, retry, clear }
}

export type PhotoUploads = ReturnType<typeof createPhotoUploads>
