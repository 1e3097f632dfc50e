/** The audit log reads as people speak: translated actions, the objects acted on by name with a link, the request ID
 * in the details drawer; at 1280 px and on a 390 px phone, without the page scrolling sideways. */
import { describe, expect, it } from 'vitest'
import { gql, login } from './support/api'
import { snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { AuditPage } from './pages/AuditPage'
import { LoginPage } from './pages/LoginPage'

interface Made { id: string }

async function made<T>(baseURL: string, token: string, query: string, variables: Record<string, unknown>, pick: (d: T) => Made | null): Promise<string> {
  const result = await gql<T>(baseURL, query, variables, token)
  const value = result.data ? pick(result.data) : null
  if (!value) throw new Error(`could not make test data: ${JSON.stringify(result)}`)
  return value.id
}

describe('audit log', () => {
  const s = useBrowser('zh-CN')

  it('shows translated actions and linked targets, with the request ID in a drawer, at 1280 and 390 px', async () => {
    const { page, baseURL } = s
    const stamp = Date.now().toString().slice(-6)
    // Given a company admin who made a community, a building, a unit, and deleted another unit (through the API)
    const token = await login(baseURL, DEMO.companyAdmin)
    const community = await made<{ communityCreate: { community: Made | null } }>(baseURL, token,
      'mutation E2EAuditCommunity($input: CommunityInput!) { communityCreate(input: $input) { community { id } errors { code } } }',
      { input: { name: `审计小区${stamp}`, timezone: 'Asia/Hong_Kong' } }, (d) => d.communityCreate.community)
    const building = await made<{ buildingCreate: { building: Made | null } }>(baseURL, token,
      'mutation E2EAuditBuilding($c: ID!) { buildingCreate(communityId: $c, input: { name: "审计楼", floors: 6 }) { building { id } errors { code } } }',
      { c: community }, (d) => d.buildingCreate.building)
    const unitInput = (n: string) => ({ b: building, input: { number: n, floor: 1, area: '88' } })
    const unitQuery = 'mutation E2EAuditUnit($b: ID!, $input: UnitInput!) { unitCreate(buildingId: $b, input: $input) { unit { id } errors { code } } }'
    await made<{ unitCreate: { unit: Made | null } }>(baseURL, token, unitQuery, unitInput('101'), (d) => d.unitCreate.unit)
    const gone = await made<{ unitCreate: { unit: Made | null } }>(baseURL, token, unitQuery, unitInput('102'), (d) => d.unitCreate.unit)
    await gql(baseURL, 'mutation E2EAuditDelete($id: ID!) { unitDelete(id: $id) { errors { code } } }', { id: gone }, token)

    // When they open the audit log on a 1280 px screen
    await page.setViewportSize({ width: 1280, height: 900 })
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
    const audit = await new AuditPage(page).goto()

    // Then actions are in words, and the newest first
    expect((await audit.actions()).slice(0, 5)).toEqual(['删除房屋', '新建房屋', '新建房屋', '新建楼栋', '新建小区'])
    const text = await audit.tableText()
    expect(text).not.toMatch(/\b(unit|community|building)\.(create|delete)\b/)
    expect(text).not.toContain(community)
    expect(text).not.toContain(building)
    // the objects by name, linked; the deleted unit says so
    const communityRow = audit.row(`审计小区${stamp}`).first()
    await communityRow.locator('[data-test="audit-target-link"]').waitFor()
    expect(await audit.row('审计楼 101').count()).toBe(1)
    expect(await audit.row('删除房屋').first().locator('[data-test="audit-target-gone"]').innerText()).toContain('已删除')
    // no request-ID column
    expect(await page.locator('[data-test="table"] th').allInnerTexts()).not.toContain('请求编号')
    expect(await audit.pageScrollsSideways()).toBe(false)
    await snap(page, 'audit-1280-zh')

    // And the drawer shows the request ID and the action code
    const drawer = await audit.open('新建楼栋')
    expect((await drawer.locator('[data-test="audit-request-id"]').innerText()).trim()).toMatch(/^[0-9a-f]{8,}$/)
    expect(await drawer.innerText()).toContain('building.create')
    await snap(page, 'audit-1280-drawer-zh')
    await audit.closeDrawer()

    // And the link takes them to the object
    await communityRow.locator('[data-test="audit-target-link"]').click()
    await page.waitForURL((url) => url.pathname === '/communities')

    // On a 390 px phone: the same words, no sideways page scroll, the drawer full width
    await page.setViewportSize({ width: 390, height: 844 })
    await audit.goto()
    expect((await audit.actions()).slice(0, 2)).toEqual(['删除房屋', '新建房屋'])
    expect(await audit.pageScrollsSideways()).toBe(false)
    await snap(page, 'audit-390-zh')
    const phoneDrawer = await audit.open('新建小区')
    expect((await phoneDrawer.locator('[data-test="audit-request-id"]').innerText()).trim()).not.toBe('')
    expect(await audit.pageScrollsSideways()).toBe(false)
    await snap(page, 'audit-390-drawer-zh')
    expect(s.pageErrors).toEqual([])
  })
})

describe('audit log in English', () => {
  const s = useBrowser('en')

  it('labels actions in English', async () => {
    const { page } = s
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.addInitScript(() => localStorage.setItem('courtyard.locale', 'en'))
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
    const audit = await new AuditPage(page).goto()
    const actions = await audit.actions()
    expect(actions).toContain('Create community')
    expect(actions.every((a) => !/^[a-z]+\.[a-zA-Z]+$/.test(a))).toBe(true)
    await snap(page, 'audit-1280-en')
    expect(s.pageErrors).toEqual([])
  })
})
