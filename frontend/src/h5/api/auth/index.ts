/** The owner app's sign-in (password or SMS code; a new number becomes an account), password reset and viewer. */
import * as G from '@/graphql/generated/graphql'
import { mutate, queryOrCode } from '@/h5/graphql/request'

export type SmsPurpose = G.SmsPurpose
export type H5ViewerInfo = NonNullable<G.H5ViewerQuery['viewer']>
export type H5Binding = H5ViewerInfo['bindings'][number]

export const passwordLogin = (phone: string, password: string) =>
  mutate(G.H5PasswordLoginDocument, { phone, password }, (d) => d.authPasswordLogin, { formFields: ['phone', 'password'] })

/** Text a 6-digit code to `phone`: to sign in or sign up (LOGIN), or to set a new password (RESET). */
export const smsSend = (phone: string, purpose: G.SmsPurpose) =>
  mutate(G.H5SmsSendDocument, { phone, purpose }, (d) => d.authSmsSend, { formFields: ['phone'] })

export const smsLogin = (phone: string, code: string) =>
  mutate(G.H5SmsLoginDocument, { phone, code }, (d) => d.authSmsLogin, { formFields: ['phone', 'code'] })

/** A new password with a RESET code; the API ends every session of the account. */
export const passwordReset = (phone: string, code: string, newPassword: string) =>
  mutate(G.H5PasswordResetDocument, { phone, code, newPassword }, (d) => d.authPasswordReset, {
    formFields: ['phone', 'code', 'newPassword'],
  })

/** Who is signed in; `offline` when the server could not be reached (the session may well still be good). */
export async function fetchViewer(): Promise<{ viewer: H5ViewerInfo | null; offline: boolean }> {
  const result = await queryOrCode(G.H5ViewerDocument, {})
  if ('code' in result) return { viewer: null, offline: result.code === 'NETWORK' }
  return { viewer: result.data?.viewer ?? null, offline: false }
}

/** Sign out here, or with `everywhere` end every session of the person (other phones, the console). */
export const logout = (everywhere: boolean) => mutate(G.H5LogoutDocument, { everywhere }, (d) => d.authLogout)
