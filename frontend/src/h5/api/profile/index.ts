/** The owner's profile: name, avatar (an AVATAR upload, resized on the phone first), and a phone change by code. */
import * as G from '@/graphql/generated/graphql'
import { mutate, upload } from '@/h5/graphql/request'
import { smsSend } from '@/h5/api/auth'

export const updateName = (name: string) =>
  mutate(G.H5ViewerUpdateDocument, { input: { name } }, (d) => d.viewerUpdate, { formFields: ['name'] })

/** Upload the (already resized) photo, then make it the person's avatar. */
export async function updateAvatar(photo: Blob, onProgress?: (fraction: number) => void) {
  const uploaded = await upload(photo, 'avatar.jpg', 'AVATAR', onProgress)
  if (!uploaded.ok) return { ok: false as const, fields: {}, codes: uploaded.codes }
  return mutate(G.H5ViewerUpdateDocument, { input: { avatarFileId: uploaded.id } }, (d) => d.viewerUpdate)
}

/** Text a code to the new number (signed in only). */
export const sendPhoneChangeCode = (phone: string) => smsSend(phone, 'PHONE_CHANGE')

export const changePhone = (phone: string, code: string) =>
  mutate(G.H5PhoneChangeDocument, { phone, code }, (d) => d.authPhoneChange, { formFields: ['phone', 'code'] })
