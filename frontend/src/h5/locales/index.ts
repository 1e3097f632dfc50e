/**
 * The owner app's vue-i18n: messages are h5/locales/<lang>/<namespace>.json (file name = namespace), so a screen's
 * strings live beside the others' without a central list. zh-CN is the default; the choice is shared with the console.
 */
import { buildMessages, makeI18n, type Locale, type Messages, LOCALE_KEY } from '@/locales/setup'

// The console's set-up (src/locales/setup.ts) without its messages, which would otherwise join this bundle.
export { LOCALE_KEY, LOCALES, buildMessages, initialLocale, type Locale } from '@/locales/setup'

const files = import.meta.glob<Messages>('./*/*.json', { eager: true, import: 'default' })

export const messages = buildMessages(files)
export const { i18n, t, te } = makeI18n(messages)

export function currentLocale(): Locale {
  return (i18n.global.locale as unknown as { value: Locale }).value
}

/** Switch the language and remember it (the console reads the same key). */
export function setLocale(locale: Locale): void {
  ;(i18n.global.locale as unknown as { value: Locale }).value = locale
  localStorage.setItem(LOCALE_KEY, locale)
  applyToDocument()
}

/** <html lang> and the page title follow the language (screen readers, the WeChat title bar, the task switcher). */
export function applyToDocument(): void {
  document.documentElement.lang = currentLocale()
  document.title = t('common.appName')
}
