import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Element Plus components come with the templates that use them (vite.config.ts); these two are called from scripts.
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import App from './App.vue'
import { i18n } from './locales'
import { router } from './router'
import { vPerms } from './directives/perms'
import { onSessionEnded } from './graphql/client'
import { useAuthStore } from './stores/auth'
import './styles.css'

const app = createApp(App)
app.use(createPinia())
app.use(i18n)
// The menus name their icons (route meta.icon): every icon is registered, but only once a console screen is
// about to open (registered before the router starts its first navigation), so the sign-in page does not download them.
let icons: Promise<void> | null = null
router.beforeEach(async (to) => {
  if (to.meta.public) return
  // The package's `global` entry, a module of its own: importing the main entry here would make the bundler keep
  // every icon next to the few that Element Plus's inputs import, in a chunk the sign-in page loads.
  icons ??= import('@element-plus/icons-vue/global').then(({ icons: all }) => {
    for (const [name, component] of Object.entries(all)) app.component(name, component)
  })
  await icons
})
app.use(router)
app.directive('perms', vPerms)

onSessionEnded(() => {
  useAuthStore().clear()
  const current = router.currentRoute.value
  if (!current.meta.public) void router.push({ name: 'login', query: { redirect: current.fullPath } })
})

app.mount('#app')
