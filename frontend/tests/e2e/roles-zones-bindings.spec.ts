/** Issue 10 screens: the role-template editor lists every permission from the server, grouped; the community form
 * picks a time zone from a searchable list; binding review shows an SMS sign-up by phone, never an empty cell. */
import { describe, expect, it, inject } from 'vitest'
import { gql, lastSmsCode, login, requestBinding } from './support/api'
import { snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { BindingsPage } from './pages/BindingsPage'
import { LoginPage } from './pages/LoginPage'
import { dialog, fill, toast } from './pages/ui'

describe('issue 10 console screens', () => {
  const s = useBrowser('zh-CN')

  it('lists every permission, repairs included, grouped by domain with descriptions', async () => {
    const { page } = s
    await page.setViewportSize({ width: 1280, height: 900 })
    await new LoginPage(page).goto().then((p) => p.login(DEMO.platformAdmin))
    await page.goto('/platform/roles')
    const technician = page.locator('[data-test="role-technician"]')
    await technician.locator('[data-test="perm-group-repairs"]').waitFor()
    expect(await technician.locator('.el-checkbox').count()).toBe(17)
    expect(await technician.locator('[data-test="perm-group-name"]').allInnerTexts()).toEqual(['公司与小区', '业主与住户', '员工', '报修', '门禁', '操作日志'])
    const repairs = technician.locator('[data-test="perm-group-repairs"]')
    expect(await repairs.locator('.el-checkbox').count()).toBe(5)
    expect(await repairs.innerText()).toContain('报修')
    // the technician template holds ticket.work; the company admin's does not
    expect(await technician.locator('[data-test="perm-TICKET_WORK"]').evaluate((el) => el.classList.contains('is-checked'))).toBe(true)
    const admin = page.locator('[data-test="role-company_admin"]')
    expect(await admin.locator('[data-test="perm-TICKET_WORK"]').evaluate((el) => el.classList.contains('is-checked'))).toBe(false)
    expect(await admin.locator('[data-test="perm-TICKET_DISPATCH"]').evaluate((el) => el.classList.contains('is-checked'))).toBe(true)
    await technician.scrollIntoViewIfNeeded()
    await snap(page, 'roles-1280-zh')
    expect(s.pageErrors).toEqual([])
  })

  it('picks a community time zone by typing a city', async () => {
    const { page, baseURL } = s
    const stamp = Date.now().toString().slice(-6)
    await page.setViewportSize({ width: 1280, height: 900 })
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
    await page.goto('/communities')
    await page.locator('[data-test="community-create"]').click()
    const d = dialog(page, 'tenancy-dialog')
    await fill(d, 'field-name', `时区小区${stamp}`)
    const select = d.locator('[data-test="field-timezone"]')
    await select.click()
    await page.keyboard.type('香港')
    const option = page.locator('.el-select-dropdown__item:visible')
    expect((await option.allInnerTexts()).map((t) => t.split('（')[0])).toEqual(['Asia/Hong_Kong'])
    await snap(page, 'timezone-select-zh')
    await option.first().click()
    await d.locator('[data-test="dialog-submit"]').click()
    await toast(page, 'success')
    const token = await login(baseURL, DEMO.companyAdmin)
    const found = await gql<{ communities: { nodes: { name: string; timezone: string }[] } }>(baseURL,
      'query E2EZones($search: String) { communities(search: $search) { nodes { name timezone } } }', { search: `时区小区${stamp}` }, token)
    expect(found.data?.communities.nodes).toEqual([{ name: `时区小区${stamp}`, timezone: 'Asia/Hong_Kong' }])
    expect(s.pageErrors).toEqual([])
  })

  it('shows an SMS sign-up in binding review by phone and unit', async () => {
    const { page, baseURL } = s
    const dataDir = inject('dataDir')
    const phone = `136${Date.now().toString().slice(-8)}`
    // Given someone who signed up by SMS (no name) and asked for a unit
    await gql(baseURL, 'mutation E2ESms($phone: String!) { authSmsSend(phone: $phone, purpose: LOGIN) { errors { code } } }', { phone })
    // the dev SMS stand-in writes its outbox a moment after answering
    await expect.poll(() => lastSmsCode(dataDir, phone, 'login')).not.toBeNull()
    const code = lastSmsCode(dataDir, phone, 'login')
    const signed = await gql<{ authSmsLogin: { tokens: { accessToken: string } | null } }>(baseURL,
      'mutation E2ESmsLogin($phone: String!, $code: String!) { authSmsLogin(phone: $phone, code: $code) { tokens { accessToken } } }', { phone, code })
    const token = signed.data?.authSmsLogin.tokens?.accessToken
    expect(token).toBeTruthy()
    const admin = await login(baseURL, DEMO.companyAdmin)
    const units = await gql<{ units: { nodes: { id: string; number: string; building: { name: string } }[] } }>(baseURL,
      'query E2EAnyUnit { units(first: 1) { nodes { id number building { name } } } }', {}, admin)
    const unit = units.data!.units.nodes[0]
    await requestBinding(baseURL, token!, unit.id, 'TENANT')
    // When the admin opens binding review
    await page.setViewportSize({ width: 1280, height: 900 })
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
    const bindings = await new BindingsPage(page).goto()
    // Then the request shows the phone (as the admin may see it) and the unit, and says no name was given
    const masked = `${phone.slice(0, 3)}****${phone.slice(-4)}`
    const row = bindings.row(new RegExp(`${phone}|${masked.replace(/\*/g, '\\*')}`)).first()
    await row.waitFor()
    expect(await row.locator('[data-test="binding-applicant"]').innerText()).toContain('未填写姓名')
    expect(await row.locator('[data-test="binding-unit"]').innerText()).toContain(`${unit.building.name}-${unit.number}`)
    for (const cell of await row.locator('td').allInnerTexts()) expect(cell.trim()).not.toBe('')
    await snap(page, 'bindings-sms-signup-1280-zh')
    expect(s.pageErrors).toEqual([])
  })
})
