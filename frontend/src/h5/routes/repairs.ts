/** The owner app's repair screens: my tickets, report one, one ticket live. */
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  { path: '/repairs', name: 'repairs', component: () => import('@/h5/views/repairs/list.vue'), meta: { title: 'repairs.list.title' } },
  { path: '/repairs/new', name: 'repair-new', component: () => import('@/h5/views/repairs/report.vue'), meta: { title: 'repairs.report.title' } },
  { path: '/repairs/:id', name: 'repair', component: () => import('@/h5/views/repairs/detail.vue'), meta: { title: 'repairs.detail.title' } },
]

export default routes
