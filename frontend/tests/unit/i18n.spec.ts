import { describe, expect, it } from 'vitest'
import { messages } from '@/locales'
import { expectSameKeys, keys } from './support/locales'


describe('locale files', () => {
  it('zh-CN and en have the same keys', () => {
    expectSameKeys(messages)
  })

  it('has no empty strings', () => {
    for (const lang of ['zh-CN', 'en']) {
      const flat = keys(messages[lang])
      for (const key of flat) {
        const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], messages[lang])
        expect(typeof value === 'string' && value.length > 0, `${lang}:${key}`).toBe(true)
      }
    }
  })

  it('translates every API error code the login screen can meet', () => {
    for (const code of ['INVALID_CREDENTIALS', 'ACCOUNT_LOCKED', 'RATE_LIMITED', 'CODE_INVALID', 'CODE_EXPIRED']) {
      expect(keys(messages['zh-CN'])).toContain(`errors.${code}`)
    }
  })
})
