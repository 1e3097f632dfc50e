/** Scenario 4: a technician has no owners menu, is turned away from /owners, and the API refuses `owners`. */
import { describe, expect, it } from 'vitest'
import { gql } from './support/api'
import { snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { DashboardPage } from './pages/DashboardPage'
import { LoginPage } from './pages/LoginPage'
import { ShellPage } from './pages/ShellPage'

describe('technician', () => {
  const s = useBrowser('zh-CN')

  it('sees no owners menu and the API refuses the owners query', async () => {
    const { page, baseURL } = s

    // Given the technician signs in
    await new LoginPage(page).goto().then((p) => p.login(DEMO.technician))
    const shell = await new ShellPage(page).ready()
    expect(await shell.userName()).toContain('钱师傅')

    // Then the side menu has no owners, bindings or staff entries
    const menu = await shell.menuNames()
    expect(menu).toContain('dashboard')
    expect(menu).not.toContain('owners')
    expect(menu).not.toContain('bindings')
    expect(menu).not.toContain('staff')
    await new DashboardPage(page).goto()
    await snap(page, '08-technician-dashboard-zh')

    // When they type the owners address themselves, the console shows “no access”
    await page.goto('/owners')
    await page.locator('[data-test="forbidden"]').waitFor()
    expect(new URL(page.url()).pathname).toBe('/403')
    await snap(page, '09-technician-forbidden-zh')

    // And the API refuses the owners query made with the technician's own session token
    const token = await page.evaluate(() => localStorage.getItem('courtyard.accessToken'))
    expect(token).toBeTruthy()
    const result = await gql<{ owners: unknown }>(baseURL, 'query E2EOwners { owners(first: 5) { totalCount nodes { id name } } }', {}, token!)
    expect(result.data?.owners ?? null).toBeNull()
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN'])
    expect(s.pageErrors).toEqual([])
  })
})
