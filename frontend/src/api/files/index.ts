/** Files: the one upload used by every screen that attaches photos (ticket notes in the console, notes and completions on the phone). */
import * as G from '@/graphql/generated/graphql'
import { upload } from '@/graphql/request'

/** The upload's answer, reduced to what a photo queue needs: the stored file's ID, or the API's code. */
export type UploadOutcome = { ok: true; id: string } | { ok: false; code: string }

/**
 * Upload one photo of repair work, on its own, before the note or completion that carries its ID. Refusals are
 * toasted by the request layer and come back as their code.
 */
export async function uploadTicketPhoto(file: File): Promise<UploadOutcome> {
  const result = await upload(G.TicketWorkPhotoUploadDocument, { file }, (d) => d.fileUpload, { formFields: [] })
  if (result.ok && result.payload.file) return { ok: true, id: result.payload.file.id }
  return { ok: false, code: result.ok ? 'UNKNOWN' : (result.codes[0] ?? 'UNKNOWN') }
}
