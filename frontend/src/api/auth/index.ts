/** Sign-in, sign-out, company switch and the viewer. */
import * as G from '@/graphql/generated/graphql'
import { mutate, query } from '@/graphql/request'

export const passwordLogin = (phone: string, password: string) =>
  mutate(G.AuthPasswordLoginDocument, { phone, password }, (d) => d.authPasswordLogin, { formFields: ['phone', 'password'] })

export const smsSend = (phone: string) =>
  mutate(G.AuthSmsSendDocument, { phone, purpose: 'LOGIN' }, (d) => d.authSmsSend, { formFields: ['phone'] })

export const smsLogin = (phone: string, code: string) =>
  mutate(G.AuthSmsLoginDocument, { phone, code }, (d) => d.authSmsLogin, { formFields: ['phone', 'code'] })

export const logout = () => mutate(G.AuthLogoutDocument, {}, (d) => d.authLogout)

export const switchCompany = (companyId: string) =>
  mutate(G.AuthSwitchCompanyDocument, { companyId }, (d) => d.authSwitchCompany)

export const fetchViewer = async () => (await query(G.ViewerDocument, {}))?.viewer ?? null
