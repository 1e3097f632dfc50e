/** Checks both apps' locale tests share: every key in both languages. */
import { expect } from 'vitest'

type Tree = Record<string, unknown>

/** Every leaf key of a messages tree, dotted ("repairs.status.DONE"). */
export function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix]
  return Object.entries(value as Tree).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}

/** zh-CN and en have exactly the same keys, and more than `atLeast` of them (an empty glob passes nothing). */
export function expectSameKeys(messages: Record<string, Tree>, atLeast = 100): void {
  const zh = keys(messages['zh-CN']).sort()
  const en = keys(messages.en).sort()
  expect(zh.length).toBeGreaterThan(atLeast)
  expect(en.filter((k) => !zh.includes(k))).toEqual([])
  expect(zh.filter((k) => !en.includes(k))).toEqual([])
}
