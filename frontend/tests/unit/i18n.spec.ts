import { describe, expect, it } from 'vitest'
import { messages } from '@/locales'

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix]
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

describe('locale files', () => {
  it('zh-CN and en have the same keys', () => {
    const zh = keys(messages['zh-CN']).sort()
    const en = keys(messages.en).sort()
    expect(zh.length).toBeGreaterThan(100)
    expect(en.filter((k) => !zh.includes(k))).toEqual([])
    expect(zh.filter((k) => !en.includes(k))).toEqual([])
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
