import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import * as Icons from '@element-plus/icons-vue'
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
app.use(router)
app.use(ElementPlus)
app.directive('perms', vPerms)
for (const [name, component] of Object.entries(Icons)) app.component(name, component)

onSessionEnded(() => {
  useAuthStore().clear()
  const current = router.currentRoute.value
  if (!current.meta.public) void router.push({ name: 'login', query: { redirect: current.fullPath } })
})

app.mount('#app')
