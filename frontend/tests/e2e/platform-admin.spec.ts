/** Scenario 3: a platform admin creates a property company with its first admin and finds it in the list. */
import { describe, expect, it } from 'vitest'
import { gql, login } from './support/api'
import { snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { LoginPage } from './pages/LoginPage'
import { PlatformCompaniesPage } from './pages/PlatformCompaniesPage'
import { ShellPage } from './pages/ShellPage'

describe('platform admin', () => {
  const s = useBrowser('zh-CN')

  it('creates a property company with its first admin and sees it in the list', async () => {
    const { page, baseURL } = s
    const stamp = Date.now().toString().slice(-8)
    const company = { name: `E2E 物业 ${stamp}`, adminName: `E2E 管理员 ${stamp}`, adminPhone: `137${stamp}`, adminPassword: 'E2e-Secret-2026' }

    // Given the platform admin signs in: the platform console opens on the companies list
    await new LoginPage(page).goto().then((p) => p.login(DEMO.platformAdmin))
    await page.waitForURL((url) => url.pathname === '/platform/companies')
    const shell = await new ShellPage(page).ready()
    expect(await shell.menuNames()).toEqual(['platform-companies', 'platform-roles', 'platform-admins', 'platform-audit'])
    expect(await shell.brand()).toBe('平台管理后台')
    const companies = await new PlatformCompaniesPage(page).goto()
    expect(await companies.names()).toContain('阳光物业 Sunshine Property')
    expect(await companies.names()).not.toContain(company.name)

    // When they create a company with its first administrator
    await companies.create(company)

    // Then it is listed as active, and a search finds it alone
    await companies.row(company.name).waitFor()
    expect(await companies.status(company.name)).toBe('正常')
    await companies.search(stamp)
    expect(await companies.names()).toEqual([company.name])
    await snap(page, '07-platform-companies-zh')

    // And its first administrator can sign in to the new company (checked through the API)
    const token = await login(baseURL, company.adminPhone, company.adminPassword)
    const viewer = await gql<{ viewer: { company: { name: string } | null; permissions: string[] } }>(
      baseURL, 'query E2EViewer { viewer { company { name } permissions } }', {}, token,
    )
    expect(viewer.data?.viewer.company?.name).toBe(company.name)
    expect(viewer.data?.viewer.permissions).toContain('COMPANY_MANAGE')
    expect(s.pageErrors).toEqual([])
  })
})
