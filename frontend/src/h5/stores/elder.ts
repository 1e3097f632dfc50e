/**
 * 长辈模式 (elder mode): larger type, larger touch targets, higher contrast. One switch in the profile, remembered on
 * this phone. It sets the `elder` class on <html> (the root font size grows, so every rem grows) and Vant's theme
 * variables (App.vue's ConfigProvider), so screens written in rem scale with no work of their own.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { ConfigProviderThemeVars } from 'vant'

export const ELDER_KEY = 'courtyard.h5.elder'

/** Vant's sizes and colours in elder mode: body 18 px, controls at least 48 px tall, darker text and borders. */
export const ELDER_THEME: ConfigProviderThemeVars = {
  fontSizeXs: '14px',
  fontSizeSm: '16px',
  fontSizeMd: '18px',
  fontSizeLg: '20px',
  lineHeightXs: '20px',
  lineHeightSm: '22px',
  lineHeightMd: '26px',
  lineHeightLg: '28px',
  primaryColor: '#0b5cad',
  dangerColor: '#c81e1e',
  tabbarItemActiveColor: '#0b5cad',
  textColor: '#111111',
  textColor2: '#333333',
  textColor3: '#4a4a4a',
  borderColor: '#8a8a8a',
  activeColor: '#d8d8d8',
  cellFontSize: '18px',
  cellLineHeight: '28px',
  cellVerticalPadding: '14px',
  cellLabelFontSize: '16px',
  cellLabelColor: '#333333',
  cellValueColor: '#333333',
  cellIconSize: '22px',
  cellLargeTitleFontSize: '20px',
  fieldLabelColor: '#111111',
  fieldInputTextColor: '#111111',
  fieldPlaceholderTextColor: '#6b6b6b',
  buttonDefaultHeight: '52px',
  buttonNormalFontSize: '18px',
  buttonSmallHeight: '48px',
  buttonSmallFontSize: '16px',
  buttonLargeHeight: '56px',
  buttonDefaultBorderColor: '#6b6b6b',
  navBarHeight: '56px',
  navBarTitleFontSize: '20px',
  navBarArrowSize: '22px',
  navBarTextColor: '#0b5cad',
  navBarIconColor: '#0b5cad',
  tabbarHeight: '64px',
  tabbarItemFontSize: '15px',
  tabbarItemIconSize: '28px',
  tabbarItemTextColor: '#333333',
  tabFontSize: '18px',
  tabsLineHeight: '52px',
  gridItemTextFontSize: '17px',
  gridItemTextColor: '#111111',
  gridItemIconSize: '36px',
  switchSize: '30px',
  badgeFontSize: '14px',
  badgeSize: '20px',
  dialogMessageFontSize: '18px',
  dialogHeaderFontWeight: '700',
  toastFontSize: '18px',
  emptyDescriptionFontSize: '18px',
  emptyDescriptionColor: '#333333',
  listTextFontSize: '16px',
  listTextColor: '#333333',
  tagFontSize: '14px',
  actionSheetItemFontSize: '18px',
  actionSheetItemLineHeight: '28px',
  radioSize: '24px',
  radioLabelColor: '#111111',
  checkboxSize: '24px',
  pickerOptionFontSize: '20px',
}

function remembered(): boolean {
  return typeof localStorage !== 'undefined' && localStorage.getItem(ELDER_KEY) === '1'
}

export const useElderStore = defineStore('h5-elder', () => {
  const enabled = ref(remembered())
  const themeVars = computed<ConfigProviderThemeVars>(() => (enabled.value ? ELDER_THEME : {}))

  function apply(on: boolean): void {
    if (typeof document !== 'undefined') document.documentElement.classList.toggle('elder', on)
  }

  function set(on: boolean): void {
    enabled.value = on
  }

  watch(
    enabled,
    (on) => {
      if (on) localStorage.setItem(ELDER_KEY, '1')
      else localStorage.removeItem(ELDER_KEY)
      apply(on)
    },
    { immediate: false, flush: 'sync' },
  )
  apply(enabled.value)

  return { enabled, themeVars, set }
})
