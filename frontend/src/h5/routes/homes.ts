/** The owner app's home screens: my homes, find my home (and the request's live status), the household. */
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  { path: '/homes', name: 'homes', component: () => import('@/h5/views/homes/list.vue'), meta: { title: 'homes.title' } },
  { path: '/homes/find', name: 'homes-find', component: () => import('@/h5/views/homes/find.vue'), meta: { title: 'homes.find.title' } },
  { path: '/homes/household', name: 'homes-household', component: () => import('@/h5/views/homes/household.vue'), meta: { title: 'homes.household.title' } },
]

export default routes
