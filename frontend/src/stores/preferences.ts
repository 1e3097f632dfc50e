/** Preferences that outlive a page: language and the chosen community. */
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { i18n, LOCALE_KEY, initialLocale, type Locale } from '@/locales'

const COMMUNITY_KEY = 'courtyard.communityId'

export const usePreferencesStore = defineStore('preferences', () => {
  const locale = ref<Locale>(initialLocale())
  const communityId = ref<string | null>(localStorage.getItem(COMMUNITY_KEY))

  function setLocale(value: Locale): void {
    locale.value = value
  }
  function setCommunity(id: string | null): void {
    communityId.value = id
  }

  watch(
    locale,
    (value) => {
      localStorage.setItem(LOCALE_KEY, value)
      i18n.global.locale.value = value
      document.documentElement.lang = value
    },
    { immediate: true },
  )
  watch(communityId, (value) => {
    if (value) localStorage.setItem(COMMUNITY_KEY, value)
    else localStorage.removeItem(COMMUNITY_KEY)
  })

  return { locale, communityId, setLocale, setCommunity }
})
