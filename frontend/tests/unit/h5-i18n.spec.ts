/** The owner app's strings: every namespace (the shell's and each area's) has the same keys in zh-CN and en. */
import { describe, expect, it } from 'vitest'
import { messages } from '@/h5/locales'
import { expectSameKeys, keys } from './support/locales'


describe('owner app locale files', () => {
  it('load every namespace of both languages, zh-CN and en alike', () => {
    expect(Object.keys(messages).sort()).toEqual(['en', 'zh-CN'])
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages['zh-CN']).sort())
    for (const ns of ['auth', 'common', 'errors', 'home', 'nav', 'notifications', 'profile']) expect(Object.keys(messages['zh-CN'])).toContain(ns)
  })

  it('zh-CN and en have the same keys', () => {
    expectSameKeys(messages)
  })

  it('has no empty strings, and the same {placeholders} in both languages', () => {
    for (const key of keys(messages['zh-CN'])) {
      const read = (lang: string) => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], messages[lang])
      const zh = read('zh-CN')
      const en = read('en')
      expect(typeof zh === 'string' && zh.length > 0, `zh-CN:${key}`).toBe(true)
      expect(typeof en === 'string' && en.length > 0, `en:${key}`).toBe(true)
      const params = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      expect(params(en), key).toEqual(params(zh))
    }
  })

  it('translates every code the sign-in, profile and upload screens can meet', () => {
    const all = keys(messages['zh-CN'])
    for (const code of ['INVALID_CREDENTIALS', 'ACCOUNT_LOCKED', 'RATE_LIMITED', 'CODE_INVALID', 'CODE_EXPIRED', 'PHONE_TAKEN', 'WEAK_PASSWORD', 'SMS_UNAVAILABLE', 'FILE_TOO_LARGE', 'UNSUPPORTED_TYPE', 'NETWORK', 'SESSION_ENDED']) {
      expect(all).toContain(`errors.${code}`)
    }
  })
})
