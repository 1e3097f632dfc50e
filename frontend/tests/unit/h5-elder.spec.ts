/** 长辈模式: one switch, remembered on the device, applied to <html> and to Vant's theme. */
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ELDER_KEY, ELDER_THEME, useElderStore } from '@/h5/stores/elder'

const px = (v: string | undefined) => Number.parseFloat(v ?? '0')

beforeEach(() => {
  localStorage.clear()
  document.documentElement.className = ''
  setActivePinia(createPinia())
})
afterEach(() => localStorage.clear())

describe('elder mode', () => {
  it('is off by default: no class, Vant’s own theme', () => {
    const elder = useElderStore()
    expect(elder.enabled).toBe(false)
    expect(document.documentElement.classList.contains('elder')).toBe(false)
    expect(elder.themeVars).toEqual({})
  })

  it('turns on with one switch: class on <html>, larger theme, remembered', () => {
    const elder = useElderStore()
    elder.set(true)
    expect(document.documentElement.classList.contains('elder')).toBe(true)
    expect(localStorage.getItem(ELDER_KEY)).toBe('1')
    expect(elder.themeVars).toBe(ELDER_THEME)

    // a new visit (a new store) starts in elder mode
    setActivePinia(createPinia())
    document.documentElement.className = ''
    expect(useElderStore().enabled).toBe(true)
    expect(document.documentElement.classList.contains('elder')).toBe(true)

    useElderStore().set(false)
    expect(localStorage.getItem(ELDER_KEY)).toBeNull()
    expect(document.documentElement.classList.contains('elder')).toBe(false)
  })

  it('sets body text of at least 18 px, touch targets of at least 48 px and darker text', () => {
    expect(px(ELDER_THEME.fontSizeMd)).toBeGreaterThanOrEqual(18)
    expect(px(ELDER_THEME.cellFontSize)).toBeGreaterThanOrEqual(18)
    for (const key of ['buttonDefaultHeight', 'buttonSmallHeight', 'buttonLargeHeight', 'navBarHeight', 'tabbarHeight'] as const) {
      expect(px(ELDER_THEME[key]), key).toBeGreaterThanOrEqual(48)
    }
    // #111 on white: far darker than Vant's #323233 body text
    expect(ELDER_THEME.textColor).toBe('#111111')
  })
})
