/**
 * The owner app's main flow on a phone (390 × 844, touch): a new person signs up by SMS, gives their name, finds
 * their unit and asks to be bound; staff approve through the API and the screen turns approved live; the owner
 * reports a repair with two photos, watches staff and the technician move it live, and rates it.
 * The server runs with TRUSTED_DOCUMENTS=owners: the owner acts only through the app, staff through the API.
 */
import { describe, expect, inject, it } from 'vitest'
import type { Page } from 'playwright-core'
import { lastSmsCode, login } from './support/api'
import { phoneContext, snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { acceptAndAssign, approveBinding, makePng, pendingRequests, technicianCompletes, technicianStarts, ticketPhotos } from './support/owner'
import { HomesPage } from './pages/h5/HomesPage'
import { H5LoginPage } from './pages/h5/LoginPage'
import { H5ShellPage } from './pages/h5/ShellPage'
import { RepairsPage } from './pages/h5/RepairsPage'

const TECHNICIAN = '钱师傅 (technician)'
// 阳光花园's position in the demo is 31.2352, 121.5055: 0.005° further north is about 556 m away.
const NEAR_COMMUNITY = { latitude: 31.2402, longitude: 121.5055 }

/** Sign up with a number the server has never seen (the code from the dev stand-in's outbox) and give a name. */
async function signUp(page: Page, phone: string, name: string, dataDir: string): Promise<void> {
  const login = await new H5LoginPage(page).goto('/h5/')
  await login.sendCode(phone)
  let code: string | null = null
  await expect.poll(() => (code = lastSmsCode(dataDir, phone, 'login')), { timeout: 10_000 }).toMatch(/^\d{4,6}$/)
  await login.loginWithCode(code!)
  // A new account is welcomed on its profile, with the name dialog open; once named, it goes to the home page.
  await page.waitForURL((url) => url.pathname === '/h5/profile')
  const shell = new H5ShellPage(page)
  await shell.saveName(name)
  await page.waitForURL((url) => url.pathname === '/h5/')
  await shell.gotoProfile()
  await expect.poll(() => shell.profileName()).toBe(name)
}

/**
 * The whole screen in one picture: the phone made as tall as the page for the shot, so the fixed nav bar stays on
 * top and the bottom action bar at the bottom (a full-page capture of a short viewport would paint them mid-page).
 */
async function shot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!
  await page.evaluate(() => window.scrollTo(0, 0))
  const height = await page.evaluate(() => document.documentElement.scrollHeight)
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) })
  await snap(page, name)
  await page.setViewportSize(size)
}

describe('owner app: from sign-up to a rated repair', () => {
  const s = useBrowser('zh-CN')

  it('signs up, gets a home approved live, reports a repair with photos, follows it and rates it', async () => {
    const { baseURL } = s
    const dataDir = inject('dataDir')
    const phone = `137${String(Date.now()).slice(-8)}`
    const name = `赵新业主${phone.slice(-4)}`
    const { context, page, pageErrors } = await phoneContext(s)
    const homes = new HomesPage(page)
    const repairs = new RepairsPage(page)
    try {
      // Given a new person signs up by SMS and gives their name
      await signUp(page, phone, name, dataDir)

      // And the home page says they have no home yet, and where to find one
      await page.goto('/h5/')
      await page.locator('[data-test="home-none"]').waitFor()
      await page.locator('[data-test="home-find"]').click()
      await page.locator('[data-test="community-search"]').waitFor()
      await shot(page, 'h5-homes-find-community')

      // When they find 阳光花园 → 1号楼 → 302 (a wrong number first) and ask to be its owner
      expect(await homes.searchCommunity('阳光')).toEqual(['阳光花园 Sunshine Garden'])
      expect(await homes.chooseCommunity('阳光花园')).toEqual(['1号楼', '2号楼'])
      await shot(page, 'h5-homes-find-building')
      await homes.chooseBuilding('1号楼')
      expect(await homes.lookUpUnit('9999')).toEqual({ found: false, message: '这个楼栋没有这个房号，请核对后再试' })
      await shot(page, 'h5-homes-find-not-found')
      const found = await homes.lookUpUnit('302')
      expect(found).toMatchObject({ found: true })
      expect(found.found && found.label).toContain('302')
      await shot(page, 'h5-homes-find-relation')
      await homes.request('OWNER')

      // Then the request waits for the property office
      expect(await homes.sentStatus()).toBe('PENDING')
      await shot(page, 'h5-homes-pending')

      // And, in another tab, "my homes" and the home page name the unit under review (the server's label for it)
      const tab = await context.newPage()
      tab.on('pageerror', (error) => pageErrors.push(String(error)))
      try {
        const tabHomes = await new HomesPage(tab).gotoList()
        expect(await tabHomes.pendingHomes()).toEqual(['阳光花园 1号楼 302'])
        await shot(tab, 'h5-homes-list-pending')
        await tab.goto('/h5/')
        await expect.poll(() => tab.locator('[data-test="home-pending"]').innerText()).toContain('阳光花园 1号楼 302')
      } finally {
        await tab.close()
      }

      // When staff approve it through the API, the screen turns approved without a reload
      const admin = await login(baseURL, DEMO.companyAdmin)
      const request = (await pendingRequests(baseURL, admin)).find((r) => r.number === '302' && r.name === name)
      expect(request).toBeDefined()
      await approveBinding(baseURL, admin, request!.id)
      await homes.waitForSentStatus('APPROVED')
      await shot(page, 'h5-homes-approved')

      // And the home is theirs: listed, and current on the home page
      await homes.gotoList()
      expect(await homes.approvedHomes()).toEqual(['阳光花园 1号楼 302'])
      await shot(page, 'h5-homes-list')
      await page.goto('/h5/')
      await expect.poll(() => page.locator('[data-test="home-current"]').innerText()).toContain('阳光花园 1号楼 302')

      // When they report a leak with two photos, a visit window tomorrow afternoon, marked urgent
      await repairs.gotoList()
      await page.locator('[data-test="tickets-empty"]').waitFor()
      await shot(page, 'h5-repair-list-empty')
      await repairs.openReport()
      await repairs.chooseCategory('水电')
      await repairs.describe('卫生间水管漏水，地面有积水')
      await repairs.addPhotos([
        { name: 'leak-wide.png', mimeType: 'image/png', buffer: makePng(2400, 1200, [40, 140, 200]) },
        { name: 'leak-close.png', mimeType: 'image/png', buffer: makePng(320, 320, [200, 90, 40]) },
      ])
      expect(await repairs.chooseAppointment(1, 'afternoon')).toBe('明天 14:00-16:00')
      await repairs.markUrgent()
      await shot(page, 'h5-repair-report')
      const ticketId = await repairs.submit()

      // Then its detail shows it submitted, with both photos and the first step
      expect(await repairs.status()).toBe('待受理')
      expect(await repairs.photoCount()).toBe(2)
      expect(await repairs.timeline()).toEqual(['提交报修'])
      expect(await repairs.callLink()).toBeNull()
      await shot(page, 'h5-repair-submitted')

      // And the wide photo was shrunk on the phone to a JPEG at most 1600 px long before it was sent
      const stored = await ticketPhotos(baseURL, admin, ticketId)
      expect(stored).toHaveLength(2)
      const wide = stored.find((p) => p.width > p.height)
      expect(wide).toEqual({ contentType: 'image/jpeg', width: 1600, height: 800 })

      // When staff accept and assign it, the owner sees the technician and can call them
      await acceptAndAssign(baseURL, admin, ticketId, TECHNICIAN)
      await repairs.waitForStatus('已派工')
      expect(await repairs.callLink()).toBe(`tel:${DEMO.technician}`)
      await shot(page, 'h5-repair-assigned')

      // When the technician takes the job, starts and shares where they are, the owner sees how far and how fresh
      const tech = await login(baseURL, DEMO.technician)
      await technicianStarts(baseURL, tech, ticketId, NEAR_COMMUNITY)
      await repairs.waitForStatus('维修中')
      await expect.poll(() => repairs.technicianPosition()).toMatch(/距您家 约 5[56]0 米/)
      expect(await repairs.technicianPosition()).toMatch(/刚刚|分钟前/)
      await shot(page, 'h5-repair-in-progress')

      // When the technician completes it, the owner is asked to rate it, and does
      await technicianCompletes(baseURL, tech, ticketId, '已更换水管接头')
      await repairs.waitForStatus('待评价')
      expect(await repairs.callLink()).toBeNull()
      await shot(page, 'h5-repair-completed')
      await repairs.rate({ speed: 5, quality: 4, attitude: 5 }, '师傅很专业')
      await repairs.waitForStatus('已评价')
      expect(await repairs.ratingShown()).toEqual({ stars: [5, 4, 5], comment: '师傅很专业' })
      const steps = await repairs.timeline()
      expect(steps.slice(0, 3)).toEqual(['已评价', '维修完成', '师傅开始维修'])
      await shot(page, 'h5-repair-rated')

      // And the list shows it finished
      await repairs.gotoList()
      await page.locator('[data-test="ticket-card"]').first().waitFor()
      expect(await page.locator('[data-test="ticket-status"]').allInnerTexts()).toEqual(['已评价'])
      await shot(page, 'h5-repair-list')
      expect(pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
