/** vue-i18n set-up: messages are locales/<lang>/<domain>.json, merged under the domain name. */
import { createI18n } from 'vue-i18n'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const LOCALE_KEY = 'courtyard.locale'

type Messages = Record<string, unknown>

const files = import.meta.glob<Messages>('./*/*.json', { eager: true, import: 'default' })

export function buildMessages(source: Record<string, Messages>): Record<string, Record<string, Messages>> {
  const out: Record<string, Record<string, Messages>> = {}
  for (const [path, content] of Object.entries(source)) {
    const match = /\.\/([^/]+)\/([^/]+)\.json$/.exec(path)
    if (!match) continue
    const [, lang, domain] = match
    out[lang] = out[lang] ?? {}
    out[lang][domain] = content
  }
  return out
}

export const messages = buildMessages(files)

export function initialLocale(): Locale {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(LOCALE_KEY)
  return (LOCALES as readonly string[]).includes(saved ?? '') ? (saved as Locale) : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages,
  missingWarn: false,
  fallbackWarn: false,
})

/** Translate outside components (request layer, data.ts formatters). */
export function t(key: string, params?: Record<string, unknown>): string {
  return params ? i18n.global.t(key, params) : i18n.global.t(key)
}

export function te(key: string): boolean {
  return i18n.global.te(key)
}
