/** Sign-in, password reset by SMS, sign-out, company switch and the viewer. */
import * as G from '@/graphql/generated/graphql'
import { mutate, query } from '@/graphql/request'

export const passwordLogin = (phone: string, password: string) =>
  mutate(G.AuthPasswordLoginDocument, { phone, password }, (d) => d.authPasswordLogin, { formFields: ['phone', 'password'] })

/** Text a 6-digit code to `phone`: to sign in (LOGIN) or to set a new password (RESET). */
export const smsSend = (phone: string, purpose: G.SmsPurpose = 'LOGIN') =>
  mutate(G.AuthSmsSendDocument, { phone, purpose }, (d) => d.authSmsSend, { formFields: ['phone'] })

export const smsLogin = (phone: string, code: string) =>
  mutate(G.AuthSmsLoginDocument, { phone, code }, (d) => d.authSmsLogin, { formFields: ['phone', 'code'] })

/** Set a new password with a RESET code; the API ends every session of the account. */
export const passwordReset = (phone: string, code: string, newPassword: string) =>
  mutate(G.AuthPasswordResetDocument, { phone, code, newPassword }, (d) => d.authPasswordReset, {
    formFields: ['phone', 'code', 'password'],
  })

export const logout = () => mutate(G.AuthLogoutDocument, {}, (d) => d.authLogout)

export const switchCompany = (companyId: string) =>
  mutate(G.AuthSwitchCompanyDocument, { companyId }, (d) => d.authSwitchCompany)

export const fetchViewer = async () => (await query(G.ViewerDocument, {}))?.viewer ?? null
