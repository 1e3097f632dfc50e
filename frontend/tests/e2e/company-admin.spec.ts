/**
 * Scenario 1: a company admin signs in (zh-CN), adds a building and its units in the tree, approves owners'
 * binding requests, and switches the console to English (which survives a reload).
 */
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { login, myBindings, requestBinding, unitsOf } from './support/api'
import { snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { BindingsPage } from './pages/BindingsPage'
import { DashboardPage } from './pages/DashboardPage'
import { LoginPage } from './pages/LoginPage'
import { OwnersPage } from './pages/OwnersPage'
import { ShellPage } from './pages/ShellPage'
import { StructurePage } from './pages/StructurePage'

const COMMUNITY = '阳光花园 Sunshine Garden'

describe('company admin', () => {
  const s = useBrowser('zh-CN')

  it('builds a building with units, approves bindings and switches to English', async () => {
    const { page, baseURL } = s
    const building = `E2E楼${Date.now().toString(36).slice(-4)}`

    // Given the demo company admin signs in on the Chinese login screen
    const loginPage = await new LoginPage(page).goto()
    expect(await loginPage.submitLabel()).toBe('登录')
    await snap(page, '01-login-zh')
    await loginPage.login(DEMO.companyAdmin)
    const shell = await new ShellPage(page).ready()
    expect(await shell.language()).toBe('zh-CN')
    expect(await shell.menuNames()).toEqual(expect.arrayContaining(['dashboard', 'communities', 'owners', 'bindings', 'staff', 'audit']))
    expect(await shell.menuLabel('communities')).toBe('小区与房屋')

    const dashboard = await new DashboardPage(page).goto()
    expect(await dashboard.stat('communities')).toBe('2')
    const unitsBefore = Number(await dashboard.stat('units'))
    const pendingBefore = Number(await dashboard.stat('pending'))
    expect(pendingBefore).toBeGreaterThanOrEqual(1) // the demo request of 吴新业主
    await snap(page, '02-dashboard-zh')

    // When they add a building to 阳光花园 and generate its units, then add a parking space by hand
    const tree = await new StructurePage(page).goto()
    const count = async (row: Locator) => Number((await tree.meta(row)).replace(/\D/g, ''))
    const communityBefore = await count(tree.community(COMMUNITY))
    await tree.expand(tree.community(COMMUNITY))
    const row = await tree.addBuilding(COMMUNITY, { name: building, floors: 3 })
    await tree.bulkCreateUnits(row, { floorFrom: 1, floorTo: 3, perFloor: 2, area: 95.5 })
    await tree.addUnit(row, { number: 'B01', floor: -1, area: 12.5, typeLabel: '车位' })

    // Then the tree shows the building's seven units, and the counts next to the building and community follow
    expect((await tree.unitNumbers(row)).sort()).toEqual(['101', '102', '201', '202', '301', '302', 'B01'])
    expect(await tree.unit(row, 'B01').innerText()).toContain('车位')
    expect(await tree.meta(row)).toBe('3 层 · 7 户')
    expect(await count(tree.community(COMMUNITY))).toBe(communityBefore + 7)
    await snap(page, '03-structure-zh')

    // Given the owner 张伟 asks (through the API, as the mobile app does) to be bound to the new 101
    const buildingId = await row.getAttribute('data-id')
    expect(buildingId).toBeTruthy()
    const adminToken = await login(baseURL, DEMO.companyAdmin)
    const unitId = (await unitsOf(baseURL, adminToken, buildingId!)).get('101')
    expect(unitId).toBeTruthy()
    const ownerToken = await login(baseURL, DEMO.owner)
    const bindingId = await requestBinding(baseURL, ownerToken, unitId!, 'OWNER')

    // When the admin approves it and the demo request of 吴新业主 in the queue
    const bindings = await new BindingsPage(page).goto()
    await bindings.row(`${building}-101`).waitFor()
    await bindings.row('吴新业主').waitFor()
    expect(await bindings.status('吴新业主')).toBe('待审核')
    await snap(page, '04-bindings-pending-zh')
    await bindings.approve(`${building}-101`)
    await bindings.approve('吴新业主')

    // Then both are approved: in the queue, for the owner through the API, and in the owners list
    await bindings.filter('已通过')
    expect(await bindings.status('吴新业主')).toBe('已通过')
    expect(await bindings.status(`${building}-101`)).toBe('已通过')
    expect((await myBindings(baseURL, ownerToken)).get(bindingId)).toBe('APPROVED')

    const owners = await new OwnersPage(page).goto()
    await owners.search('吴新业主')
    expect(await owners.names()).toEqual(['吴新业主'])
    expect(await owners.units('吴新业主')).toContain('2号楼-202')
    await owners.search('张伟')
    expect(await owners.units('张伟')).toContain(`${building}-101`)
    await snap(page, '05-owners-zh')

    // When they switch the console to English
    await shell.switchLanguage('en')

    // Then the menu and the screen speak English, and still do after a reload
    const english = { dashboard: 'Dashboard', communities: 'Communities & units', owners: 'Owners', bindings: 'Binding requests', staff: 'Staff & roles' }
    for (const [name, label] of Object.entries(english)) expect(await shell.menuLabel(name)).toBe(label)
    expect(await owners.title()).toBe('Owners')

    await page.reload()
    await shell.ready()
    expect(await shell.language()).toBe('en')
    expect(await page.evaluate(() => localStorage.getItem('courtyard.locale'))).toBe('en')
    for (const [name, label] of Object.entries(english)) expect(await shell.menuLabel(name)).toBe(label)
    await dashboard.goto()
    expect(await dashboard.statLabel('units')).toBe('Units')
    expect(Number(await dashboard.stat('units'))).toBe(unitsBefore + 7)
    expect(Number(await dashboard.stat('pending'))).toBe(pendingBefore - 1)
    await snap(page, '06-dashboard-en')

    // And signing out lands on an English login screen
    await shell.logout()
    expect(await loginPage.submitLabel()).toBe('Sign in')
    expect(s.pageErrors).toEqual([])
  })
})
