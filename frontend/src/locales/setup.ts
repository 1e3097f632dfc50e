/**
 * What the console's and the owner app's vue-i18n share: the languages, the remembered choice (one key for both apps)
 * and the merging of <lang>/<namespace>.json files. Each app globs its own files, so neither bundle carries the
 * other's messages.
 */
import { createI18n } from 'vue-i18n'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const LOCALE_KEY = 'courtyard.locale'

export type Messages = Record<string, unknown>

/** `{ './zh-CN/repairs.json': {...} }` (an import.meta.glob) as `{ 'zh-CN': { repairs: {...} } }`. */
export function buildMessages(source: Record<string, Messages>): Record<string, Record<string, Messages>> {
  const out: Record<string, Record<string, Messages>> = {}
  for (const [path, content] of Object.entries(source)) {
    const match = /\.\/([^/]+)\/([^/]+)\.json$/.exec(path)
    if (!match) continue
    const [, lang, namespace] = match
    out[lang] = out[lang] ?? {}
    out[lang][namespace] = content
  }
  return out
}

export function initialLocale(): Locale {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(LOCALE_KEY)
  return (LOCALES as readonly string[]).includes(saved ?? '') ? (saved as Locale) : 'zh-CN'
}

/** A composition-API i18n over `messages`, in the remembered language, falling back to zh-CN. */
export function makeI18n(messages: Record<string, Record<string, Messages>>) {
  const i18n = createI18n({
    legacy: false,
    globalInjection: true,
    locale: initialLocale(),
    fallbackLocale: 'zh-CN',
    messages,
    missingWarn: false,
    fallbackWarn: false,
  })
  /** Translate outside components (request layer, formatters). */
  const t = (key: string, params?: Record<string, unknown>): string =>
    params ? i18n.global.t(key, params) : i18n.global.t(key)
  const te = (key: string): boolean => i18n.global.te(key)
  return { i18n, t, te }
}
