/** Routes of both consoles; `meta.menu` puts a route in its console's side menu, `meta.perms` guards it. */
import type { RouteRecordRaw } from 'vue-router'
import type { Perm } from '@/graphql/generated/graphql'
import { IMPORT_PERMS } from '@/domains/imports/jobs'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    console?: 'property' | 'platform'
    perms?: readonly Perm[]
    /** Allowed when the caller holds at least one of these (on top of every one of perms). */
    anyPerms?: readonly Perm[]
    titleKey?: string
    icon?: string
    menu?: boolean
    platformAudit?: boolean
  }
}

const BasicLayout = () => import('@/layouts/BasicLayout.vue')

export const propertyChildren: RouteRecordRaw[] = [
  { path: '', name: 'dashboard', component: () => import('@/views/dashboard/index.vue'), meta: { titleKey: 'menu.dashboard', icon: 'DataLine', menu: true } },
  { path: 'communities', name: 'communities', component: () => import('@/views/tenancy/list.vue'), meta: { titleKey: 'menu.communities', icon: 'OfficeBuilding', menu: true, perms: ['COMMUNITY_READ'] } },
  { path: 'owners', name: 'owners', component: () => import('@/views/owners/list.vue'), meta: { titleKey: 'menu.owners', icon: 'User', menu: true, perms: ['OWNER_READ'] } },
  { path: 'owners/:id', name: 'owner-detail', component: () => import('@/views/owners/detail.vue'), meta: { titleKey: 'menu.ownerDetail', perms: ['OWNER_READ'] } },
  { path: 'bindings', name: 'bindings', component: () => import('@/views/bindings/list.vue'), meta: { titleKey: 'menu.bindings', icon: 'Stamp', menu: true, perms: ['BINDING_REVIEW'] } },
  { path: 'repairs/board', name: 'repairs-board', component: () => import('@/views/repairs/board.vue'), meta: { titleKey: 'menu.repairsBoard', icon: 'Grid', menu: true, perms: ['TICKET_READ'] } },
  { path: 'repairs/tickets', name: 'repairs-tickets', component: () => import('@/views/repairs/list.vue'), meta: { titleKey: 'menu.repairsTickets', icon: 'Tickets', menu: true, perms: ['TICKET_READ'] } },
  { path: 'repairs/technicians', name: 'repairs-technicians', component: () => import('@/views/repairs/technicians.vue'), meta: { titleKey: 'menu.repairsTechnicians', icon: 'Tools', menu: true, perms: ['TICKET_READ'] } },
  { path: 'repairs/stats', name: 'repairs-stats', component: () => import('@/views/repairs/stats.vue'), meta: { titleKey: 'menu.repairsStats', icon: 'TrendCharts', menu: true, perms: ['TICKET_STATS'] } },
  { path: 'repairs/settings', name: 'repairs-settings', component: () => import('@/views/repairs/settings.vue'), meta: { titleKey: 'menu.repairsSettings', icon: 'Setting', menu: true, perms: ['REPAIR_CONFIG'] } },
  { path: 'imports', name: 'imports', component: () => import('@/views/imports/list.vue'), meta: { titleKey: 'menu.imports', icon: 'Upload', menu: true, anyPerms: IMPORT_PERMS } },
  { path: 'staff', name: 'staff', component: () => import('@/views/staff/list.vue'), meta: { titleKey: 'menu.staff', icon: 'Avatar', menu: true, perms: ['STAFF_READ'] } },
  { path: 'audit', name: 'audit', component: () => import('@/views/audit/list.vue'), meta: { titleKey: 'menu.audit', icon: 'Document', menu: true, perms: ['AUDIT_READ'] } },
]

export const platformChildren: RouteRecordRaw[] = [
  { path: '', redirect: { name: 'platform-companies' } },
  { path: 'companies', name: 'platform-companies', component: () => import('@/views/platform/companies.vue'), meta: { titleKey: 'menu.companies', icon: 'OfficeBuilding', menu: true } },
  { path: 'roles', name: 'platform-roles', component: () => import('@/views/platform/roles.vue'), meta: { titleKey: 'menu.roles', icon: 'Key', menu: true } },
  { path: 'admins', name: 'platform-admins', component: () => import('@/views/platform/admins.vue'), meta: { titleKey: 'menu.admins', icon: 'Avatar', menu: true } },
  { path: 'audit', name: 'platform-audit', component: () => import('@/views/audit/list.vue'), meta: { titleKey: 'menu.platformAudit', icon: 'Document', menu: true, platformAudit: true } },
]

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/auth/login.vue'), meta: { public: true } },
  { path: '/403', name: 'forbidden', component: () => import('@/views/error/forbidden.vue'), meta: { public: true } },
  { path: '/platform', component: BasicLayout, props: { kind: 'platform' }, meta: { console: 'platform' }, children: platformChildren },
  // The technician's phone view: its own shell, no side menu.
  {
    path: '/m',
    component: () => import('@/views/work/layout.vue'),
    meta: { console: 'property', perms: ['TICKET_WORK'] },
    children: [
      { path: '', redirect: { name: 'work-tickets' } },
      { path: 'tickets', name: 'work-tickets', component: () => import('@/views/work/tickets.vue'), meta: { titleKey: 'work.title' } },
      { path: 'tickets/:id', name: 'work-ticket', component: () => import('@/views/work/detail.vue'), meta: { titleKey: 'work.detail.title' } },
    ],
  },
  { path: '/', component: BasicLayout, props: { kind: 'property' }, meta: { console: 'property' }, children: propertyChildren },
  { path: '/:rest(.*)*', redirect: '/' },
]
