/** The owner app (H5, /h5/): Vant on phones, in WeChat's browser, installable, with elder mode. */
import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Vant's function APIs (toasts, dialogs) are called from scripts, so the resolver does not see them: their CSS here.
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'
import 'vant/es/image-preview/style'
import App from './App.vue'
import { applyToDocument, i18n } from './locales'
import { router } from './router'
import { onH5SessionEnded } from './graphql/request'
import { useSessionStore } from './stores/session'
import './styles.css'

const app = createApp(App)
app.use(createPinia())
app.use(i18n)
app.use(router)
applyToDocument()

onH5SessionEnded(() => {
  useSessionStore().clear()
  const current = router.currentRoute.value
  if (!current.meta.public) void router.push({ name: 'login', query: { redirect: current.fullPath } })
})

app.mount('#app')

// Started offline: once the network is back, find out who is signed in and leave the offline shell.
window.addEventListener('online', () => {
  const session = useSessionStore()
  if (session.offline) void session.load()
})

// The offline shell (public/h5/sw.js): only in a build, where the files it keeps exist.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/h5/sw.js', { scope: '/h5/' }).catch(() => undefined)
  })
}
