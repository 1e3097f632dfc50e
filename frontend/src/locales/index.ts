/** vue-i18n set-up: messages are locales/<lang>/<domain>.json, merged under the domain name. */
import { buildMessages, makeI18n, type Messages } from './setup'

export { LOCALE_KEY, LOCALES, buildMessages, initialLocale, type Locale } from './setup'

const files = import.meta.glob<Messages>('./*/*.json', { eager: true, import: 'default' })

export const messages = buildMessages(files)
export const { i18n, t, te } = makeI18n(messages)
