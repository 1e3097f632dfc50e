/** Photos and a video for a repair report: photos are shrunk on the phone before upload, a video goes as it is. */

export const MAX_PHOTOS = 9
export const MAX_VIDEOS = 1
export const MAX_SIDE = 1600
export const JPEG_QUALITY = 0.8
// The server's limits (backend/domains/files/service.py): 10 MB an image, 50 MB a video, MP4 or MOV.
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024
export const MAX_VIDEO_BYTES = 50 * 1024 * 1024
export const VIDEO_TYPES = ['video/mp4', 'video/quicktime']

/** The size to draw an image at so its long side is at most `max`; never enlarged, never below 1 px. */
export function fitWithin(width: number, height: number, max: number = MAX_SIDE): { width: number; height: number } {
  const long = Math.max(width, height)
  if (long <= max || long <= 0) return { width, height }
  const scale = max / long
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** Why a video cannot be sent (a locale key under repairs.media), or null when it can. */
export function videoRefusal(file: { type: string; size: number }): string | null {
  if (!VIDEO_TYPES.includes(file.type)) return 'videoType'
  if (file.size > MAX_VIDEO_BYTES) return 'videoTooLarge'
  return null
}

function loadImage(file: Blob): Promise<CanvasImageSource & { width: number; height: number }> {
  if (typeof createImageBitmap === 'function') return createImageBitmap(file)
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file)
    const img = new Image()
    img.onload = () => {
      URL.revokeObjectURL(url)
      resolve(img)
    }
    img.onerror = () => {
      URL.revokeObjectURL(url)
      reject(new Error('decode'))
    }
    img.src = url
  })
}

/**
 * A photo redrawn as JPEG (quality 0.8) with its long side at most 1600 px. When the browser cannot decode it
 * (HEIC on some phones) or the result would be larger, the original goes instead; null when that is over 10 MB.
 */
export async function compressPhoto(file: File): Promise<{ blob: Blob; name: string } | null> {
  try {
    const img = await loadImage(file)
    const size = fitWithin(img.width, img.height)
    const canvas = document.createElement('canvas')
    canvas.width = size.width
    canvas.height = size.height
    const ctx = canvas.getContext('2d')
    if (!ctx) throw new Error('no canvas')
    ctx.fillStyle = '#fff' // transparent PNG areas would turn black in a JPEG
    ctx.fillRect(0, 0, size.width, size.height)
    ctx.drawImage(img, 0, 0, size.width, size.height)
    if ('close' in img && typeof img.close === 'function') img.close()
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY))
    if (blob && blob.size < file.size) return { blob, name: `${baseName(file.name)}.jpg` }
  } catch {
    // fall through: send the original
  }
  return file.size <= MAX_IMAGE_BYTES ? { blob: file, name: file.name || 'photo.jpg' } : null
}

function baseName(name: string): string {
  const dot = name.lastIndexOf('.')
  return (dot > 0 ? name.slice(0, dot) : name) || 'photo'
}
