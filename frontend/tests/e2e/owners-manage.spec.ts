/**
 * Issue 10: a company admin adds an owner by hand (新增业主), finds them in the owner list, looks at their page and at
 * their unit's residents in the unit tree, then unbinds them, at 1280 px and on a 390 px phone.
 */
import { describe, expect, it } from 'vitest'
import { snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { LoginPage } from './pages/LoginPage'
import { OwnerManagePage } from './pages/OwnerManagePage'
import { OwnersPage } from './pages/OwnersPage'
import { StructurePage } from './pages/StructurePage'
import { afterOperation, tableReady } from './pages/ui'

describe('owners managed by hand', () => {
  const s = useBrowser('zh-CN')

  it('adds an owner, finds them, sees them in their unit and unbinds them', async () => {
    const { page } = s
    const tag = Date.now().toString(36).slice(-4)
    const name = `手录业主${tag}`
    const phone = `1370000${String(Date.now() % 10000).padStart(4, '0')}`
    await page.setViewportSize({ width: 1280, height: 800 })

    // Given the demo company admin on the owner list
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
    const owners = await new OwnersPage(page).goto()
    const manage = new OwnerManagePage(page)

    // When they add an owner by hand, bound to a unit found by its number
    const { dialog, unitLabel } = await manage.fillCreate({ name, phone, unitSearch: '502' })
    expect(unitLabel).toMatch(/-502$/)
    await snap(page, 'owners-create-1280')
    expect(await manage.saveCreate(dialog)).toBe('已新增业主')

    // Then the list finds them by the name the company gave, with their unit
    await owners.search(name)
    expect(await owners.names()).toEqual([name])
    expect(await owners.units(name)).toContain('502')
    await snap(page, 'owners-list-1280')

    // Their page shows the name on record, and the unit they are bound to
    await afterOperation(page, 'OwnerDetail', () => owners.row(name).locator('[data-test="owner-view"]').click())
    await page.locator('[data-test="owner-known-as"]').filter({ hasText: name }).waitFor()
    expect(await manage.bindingRows().count()).toBe(1)
    await snap(page, 'owner-detail-1280')

    // The unit tree shows them among the unit's residents
    const [communityName, rest] = [unitLabel.slice(0, unitLabel.lastIndexOf(' ')), unitLabel.slice(unitLabel.lastIndexOf(' ') + 1)]
    const buildingName = rest.slice(0, rest.lastIndexOf('-'))
    const tree = await new StructurePage(page).goto()
    await tree.expand(tree.community(communityName))
    const building = tree.building(buildingName)
    await tree.expand(building)
    await afterOperation(page, 'UnitDetail', () => tree.unit(building, '502').locator('[data-test="unit-detail-open"]').click())
    const drawer = page.locator('[data-test="unit-detail"]')
    await drawer.locator('[data-test="unit-resident"]').filter({ hasText: name }).waitFor()
    await snap(page, 'unit-detail-1280')

    // On a phone, the owner page and the drawer still fit
    await page.setViewportSize({ width: 390, height: 844 })
    await snap(page, 'unit-detail-390')
    await afterOperation(page, 'OwnerDetail', () => drawer.locator('[data-test="unit-resident"] a').filter({ hasText: name }).click())
    await page.locator('[data-test="owner-known-as"]').filter({ hasText: name }).waitFor()
    await snap(page, 'owner-detail-390')

    // Binding them to the unit they already hold is refused, and the reason shows beside the unit
    await page.locator('[data-test="owner-add-unit"]').click()
    const addUnit = page.locator('.el-dialog[data-test="owner-unit-dialog"]:visible')
    await addUnit.waitFor()
    await manage.pickUnit(addUnit, 'field-unit', '502')
    await afterOperation(page, 'OwnerUnitAdd', () => addUnit.locator('[data-test="dialog-submit"]').click())
    await addUnit.locator('.el-form-item__error').filter({ hasText: '该住户已绑定这套房屋' }).waitFor()
    await snap(page, 'owner-add-unit-duplicate-390')
    await addUnit.locator('[data-test="dialog-cancel"]').click()
    await addUnit.waitFor({ state: 'hidden' })

    // When they unbind the owner from that unit with a reason
    expect(await manage.unbind('502', '房屋已出售')).toContain('已解绑')
    // Then the owner, with no unit left, is gone from the list
    await page.waitForURL((url) => url.pathname === '/owners')
    await tableReady(page)
    await owners.search(name)
    expect(await owners.names()).toEqual([])
    await snap(page, 'owners-list-after-unbind-390')
    expect(s.pageErrors).toEqual([])
  })
})
