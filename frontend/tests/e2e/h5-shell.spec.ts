/**
 * The owner app's shell on a phone (390 × 844, touch): sign in with a password, the module tiles, elder mode on
 * and off, a new number signing up by SMS and giving its name, an owner who signs in at the console landing in
 * /h5/, and an offline reload still showing the app.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { H5LoginPage } from './pages/h5/LoginPage'
import { H5ShellPage } from './pages/h5/ShellPage'
import { LoginPage } from './pages/LoginPage'
import { gql, lastSmsCode, login, unitsOf } from './support/api'
import { phoneContext, snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { measureTransfer } from './support/transfer'
import { makePng } from './support/owner'

const session = useBrowser()
let phone: { context: BrowserContext; page: Page; pageErrors: string[] } | null = null

async function openPhone(locale = 'zh-CN'): Promise<Page> {
  phone = await phoneContext(session, locale)
  return phone.page
}

afterEach(async (ctx) => {
  // useBrowser photographs its own (desktop) page on a failure: the phone's screen is the one that tells
  if (phone && ctx.task.result?.state === 'fail') console.error(`the phone was at ${phone.page.url()}`)
  if (phone && ctx.task.result?.state === 'fail') await snap(phone.page, `FAILED-phone-${ctx.task.name.replace(/[^\w-]+/g, '_').slice(0, 60)}`).catch(() => undefined)
  if (phone && phone.pageErrors.length) console.error(`page errors:\n${phone.pageErrors.join('\n')}`)
  await phone?.context.close()
  phone = null
})

/** A screenshot once the last toast ("已保存", "验证码已发送") has gone, so it shows the screen itself. */
async function shot(page: Page, name: string): Promise<void> {
  await page.locator('.van-toast:visible').waitFor({ state: 'hidden' })
  await snap(page, name)
}

/** The computed font size (px) and height of an element: elder mode must make them larger. */
async function measure(page: Page, selector: string): Promise<{ font: number; height: number }> {
  return page.locator(selector).first().evaluate((el) => ({
    font: Number.parseFloat(getComputedStyle(el).fontSize),
    height: el.getBoundingClientRect().height,
  }))
}

// What a phone downloads to show the sign-in screen the first time (as sent; Vant's inlined icon font counted
// twice by Chromium, as its CSS and as a data: URL): measured 192 KB.
const H5_LOGIN_BUDGET = 220_000

describe('owner app shell', () => {
  it('loads a small bundle of its own: compressed, with Vant and without Element Plus', async () => {
    const page = await openPhone()
    const transfer = await measureTransfer(page, '/h5/login', '[data-test="submit"]')
    const assets = transfer.requests.filter((r) => r.url.includes('/assets/'))
    console.info(`h5 login page: ${transfer.bytes} bytes in ${transfer.requests.length} responses`)
    expect(transfer.bytes).toBeLessThan(H5_LOGIN_BUDGET)
    for (const r of assets.filter((a) => a.bytes > 2_000)) expect(r.encoding, r.url).toBe('br')
    let vant = false
    for (const r of assets) {
      const source = await (await fetch(r.url)).text()
      // Element Plus's class prefix and component names never reach the owner app
      for (const marker of ['.el-button', 'ElMessage', 'el-form-item']) expect(source.includes(marker), `${marker} in ${r.url}`).toBe(false)
      vant ||= source.includes('.van-field')
    }
    expect(vant).toBe(true)
  })

  it('signs the demo owner in with a password and shows the module tiles', async () => {
    const page = await openPhone()
    await page.goto('/h5/')
    // signed out: the sign-in screen, remembering where they were going
    await page.waitForURL(/\/h5\/login/)
    await shot(page, 'h5-login-390-zh')
    await new H5LoginPage(page).loginWithPassword(DEMO.owner)
    const shell = new H5ShellPage(page)
    expect(await shell.tiles()).toEqual(['报修', '我的房屋', '通知'])
    await expect.poll(() => page.locator('[data-test="greeting"]').innerText()).toContain('张伟')
    await page.locator('[data-test="home-current"]').waitFor()
    await shot(page, 'h5-home-390-zh')

    // every tab opens its screen; the tab bar stays
    await shell.tab('消息')
    await page.waitForURL(/\/h5\/notifications$/)
    await page.locator('[data-test^="notification-"]').first().waitFor()
    expect(await page.locator('.van-tabbar-item--active .van-tabbar-item__text').allInnerTexts()).toEqual(['消息'])
    await shot(page, 'h5-notifications-390-zh')
    await shell.tab('我的')
    await page.locator('[data-test="elder-switch"]').waitFor()
    expect(await shell.profileName()).toBe('张伟')
    await shot(page, 'h5-profile-390-zh')
    expect(phone?.pageErrors).toEqual([])
  })

  it('turns elder mode on and off: larger type and touch targets, remembered across a reload', async () => {
    const page = await openPhone()
    await new H5LoginPage(page).goto().then((p) => p.loginWithPassword(DEMO.owner))
    const shell = new H5ShellPage(page)
    await shell.gotoHome()
    await page.locator('[data-test="home-current"]').waitFor()
    await shot(page, 'h5-home-elder-off')
    const offIcon = await measure(page, '.home__icon')
    const offLabel = await measure(page, '.home__label')

    await shell.gotoProfile()
    const offRow = await measure(page, '[data-test="language-row"]')
    await shell.setElder(true)
    await shot(page, 'h5-profile-elder-on')
    const onRow = await measure(page, '[data-test="language-row"]')
    expect(onRow.height).toBeGreaterThanOrEqual(48)
    expect(onRow.height).toBeGreaterThan(offRow.height)
    expect(await page.locator('[data-test="language-row"] .van-cell__title').evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(18)

    // remembered: a reload (a new visit) starts in elder mode
    await page.reload()
    await shell.gotoHome()
    await page.locator('[data-test="home-current"]').waitFor()
    expect(await page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(true)
    const onLabel = await measure(page, '.home__label')
    const onIcon = await measure(page, '.home__icon')
    expect(onLabel.font).toBeGreaterThanOrEqual(18)
    expect(onLabel.font).toBeGreaterThan(offLabel.font)
    expect(onIcon.height).toBeGreaterThan(offIcon.height)
    const tabHeight = await page.locator('.van-tabbar').evaluate((el) => el.getBoundingClientRect().height)
    expect(tabHeight).toBeGreaterThanOrEqual(60)
    await shot(page, 'h5-home-elder-on')
    // the areas' screens scale too, with no code of their own (rem sizes, Vant's variables)
    await page.goto('/h5/repairs')
    const navHeight = await page.locator('.van-nav-bar').first().evaluate((el) => el.getBoundingClientRect().height)
    expect(navHeight).toBeGreaterThanOrEqual(56)
    await page.waitForLoadState('networkidle')
    await shot(page, 'h5-repairs-elder-on')

    await shell.gotoProfile()
    await shell.setElder(false)
    await shot(page, 'h5-profile-elder-off')
    expect(await page.evaluate(() => localStorage.getItem('courtyard.h5.elder'))).toBeNull()
  })

  it('switches to English in the profile and remembers it', async () => {
    const page = await openPhone()
    await new H5LoginPage(page).goto().then((p) => p.loginWithPassword(DEMO.owner))
    const shell = new H5ShellPage(page)
    await shell.gotoProfile()
    await page.locator('[data-test="language-row"]').click()
    await page.locator('.van-action-sheet__item').filter({ hasText: 'English' }).click()
    await expect.poll(() => page.locator('.van-tabbar-item__text').allInnerTexts()).toEqual(['Home', 'Messages', 'Me'])
    expect(await page.locator('[data-test="elder-row"] .van-cell__title span').first().innerText()).toBe('Elder mode (长辈模式)')
    await shot(page, 'h5-profile-390-en')
    await page.reload()
    await shell.gotoHome()
    expect(await shell.tiles()).toEqual(['Repairs', 'My homes', 'Notices'])
    await page.locator('[data-test="home-current"]').waitFor()
    await shot(page, 'h5-home-390-en')
    expect(await page.evaluate(() => [document.documentElement.lang, document.title])).toEqual(['en', 'Courtyard'])
  })

  it('lets a new number sign up with an SMS code and give its name', async () => {
    const page = await openPhone()
    await signUp(page, `137${String(Date.now()).slice(-8)}`, '李新', 'h5-signup-name-390-zh')
    // no home yet: the friendly way to find one
    await page.locator('[data-test="home-none"]').waitFor()
    await shot(page, 'h5-home-new-owner-390-zh')
    expect(phone?.pageErrors).toEqual([])
  })

  it('lets a new owner set an avatar and change phone with a code sent to the new number', async () => {
    const page = await openPhone()
    const first = `136${String(Date.now()).slice(-8)}`
    const second = `135${String(Date.now()).slice(-8)}`
    await signUp(page, first, '王芳')
    await new H5ShellPage(page).gotoProfile()

    // avatar: a 1600 × 1200 photo is made at most 512 px on the phone, uploaded, and shown
    await page.locator('[data-test="avatar-input"]').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: makePng(1600, 1200, [200, 120, 40]) })
    const avatar = page.locator('[data-test="avatar"] img')
    await avatar.waitFor()
    await expect.poll(() => avatar.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(512)
    expect(await avatar.evaluate((img) => (img as HTMLImageElement).naturalHeight)).toBe(384)
    await shot(page, 'h5-profile-avatar-390-zh')

    // phone change: a code to the new number proves it (the SMS stand-in sends it with the bind template)
    await page.locator('[data-test="change-phone"]').click()
    await page.locator('[data-test="new-phone"] input').fill(second)
    await page.locator('[data-test="send-code"]').click()
    await page.locator('[data-test="code"] input').fill(await waitForCode(second, 'bind'))
    await shot(page, 'h5-phone-change-390-zh')
    await page.locator('[data-test="submit"]').click()
    await page.waitForURL(/\/h5\/profile$/)
    await expect.poll(() => page.locator('[data-test="change-phone"] .van-cell__value').innerText()).toBe(`${second.slice(0, 3)}****${second.slice(-4)}`)
    expect(phone?.pageErrors).toEqual([])
  })

  it('lets an owner staff added set a password by SMS, and end every session from one phone', async () => {
    // staff add a tenant by hand (no SMS): the account exists, without a password
    const number = `134${String(Date.now()).slice(-8)}`
    const admin = await login(session.baseURL, DEMO.companyAdmin)
    const owner = await login(session.baseURL, DEMO.owner)
    const mine = await gql<{ viewer: { bindings: { unit: { building: { id: string } } | null }[] } }>(
      session.baseURL, 'query E2EMyBuilding { viewer { bindings { unit { building { id } } } } }', {}, owner)
    const buildingId = mine.data?.viewer.bindings.find((b) => b.unit)?.unit?.building.id
    expect(buildingId).toBeTruthy()
    const units = [...(await unitsOf(session.baseURL, admin, buildingId!)).entries()].sort((a, b) => b[0].localeCompare(a[0]))
    const created = await gql<{ ownerCreate: { errors: { code: string }[] } }>(
      session.baseURL,
      'mutation E2EOwnerCreate($input: OwnerCreateInput!) { ownerCreate(input: $input) { errors { code } } }',
      { input: { name: '赵租客', phone: number, units: [{ unitId: units[0][1], relation: 'TENANT' }] } },
      admin,
    )
    expect(created.data?.ownerCreate.errors).toEqual([])

    // 忘记密码: a RESET code sets the first password, which then signs in
    const page = await openPhone()
    await new H5LoginPage(page).goto()
    await page.locator('.van-tab').nth(1).click()
    await page.locator('[data-test="forgot"]').click()
    await page.waitForURL(/\/h5\/forgot-password/)
    await page.locator('[data-test="phone"] input').fill(number)
    await page.locator('[data-test="send-code"]').click()
    await page.locator('[data-test="code"] input').fill(await waitForCode(number, 'reset'))
    await page.locator('[data-test="new-password"] input').fill('Garden2026x')
    await page.locator('[data-test="confirm"] input').fill('Garden2026x')
    await shot(page, 'h5-forgot-390-zh')
    await page.locator('[data-test="submit"]').click()
    await page.waitForURL(/\/h5\/login/)
    await new H5LoginPage(page).loginWithPassword(number, 'Garden2026x')
    // staff's label for the tenant is theirs: the account's own name is still to give
    await page.waitForURL(/\/h5\/profile\?welcome=1/)
    await new H5ShellPage(page).saveName('赵敏')
    await expect.poll(() => page.locator('[data-test="greeting"]').innerText()).toContain('赵敏')
    await page.locator('[data-test="home-current"]').waitFor()

    // the same person on a second phone
    const other = await phoneContext(session)
    try {
      await new H5LoginPage(other.page).goto().then((p) => p.loginWithPassword(number, 'Garden2026x'))
      await other.page.locator('[data-test="modules"]').waitFor()
      // 退出所有设备 on the first phone ends the second phone's session too
      await new H5ShellPage(page).gotoProfile()
      await page.locator('[data-test="sign-out-all"]').click()
      await page.locator('.van-dialog__confirm:visible').click()
      await page.waitForURL(/\/h5\/login/)
      await other.page.goto('/h5/notifications')
      await other.page.waitForURL(/\/h5\/login/)
    } finally {
      await other.context.close()
    }
    expect(phone?.pageErrors).toEqual([])
  })

  it('sends an owner who signs in at the console to the owner app', async () => {
    const { page } = session
    await new LoginPage(page).goto()
    await page.locator('input[data-test="login-phone"], [data-test="login-phone"] input').first().fill(DEMO.owner)
    await page.locator('input[data-test="login-password"], [data-test="login-password"] input').first().fill('Courtyard2026')
    await page.locator('[data-test="login-submit"]').click()
    await page.waitForURL((url) => url.pathname.startsWith('/h5/') && !url.pathname.startsWith('/h5/login'))
    // one sign-in serves both apps: the owner app opens signed in
    await page.locator('[data-test="modules"]').waitFor()
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.locator('[data-test="home-current"]').waitFor()
    await shot(page, 'h5-home-1280-zh')
    // and a visit to a console screen goes there too, not to the 403 page
    await page.goto('/owners')
    await page.waitForURL((url) => url.pathname.startsWith('/h5/'))
  })

  it('keeps the unread badge live: a message read on another device lowers it without a reload', async () => {
    const page = await openPhone()
    await new H5LoginPage(page).goto().then((p) => p.loginWithPassword(DEMO.owner))
    const badge = page.locator('.van-tabbar-item').filter({ hasText: '消息' }).locator('.van-badge')
    await badge.waitFor()
    const before = Number(await badge.innerText())
    expect(before).toBeGreaterThan(0)
    // the same owner on another device reads one message
    const token = await login(session.baseURL, DEMO.owner)
    const inbox = await gql<{ notifications: { nodes: { id: string; readAt: string | null }[] } }>(
      session.baseURL,
      'query E2EInbox { notifications(first: 20, unreadOnly: true) { nodes { id readAt } } }',
      {},
      token,
    )
    const unread = inbox.data?.notifications.nodes ?? []
    expect(unread.length).toBeGreaterThan(0)
    await gql(session.baseURL, 'mutation E2ERead($ids: [ID!]!) { notificationMarkRead(ids: $ids) { updatedCount } }', { ids: [unread[0].id] }, token)
    await expect.poll(() => badge.innerText().then(Number)).toBe(before - 1)
  })

  it('starts offline from the kept shell', async () => {
    const page = await openPhone()
    await new H5LoginPage(page).goto().then((p) => p.loginWithPassword(DEMO.owner))
    await page.locator('[data-test="modules"]').waitFor()
    // the service worker has kept the shell and controls the page
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
      if (!navigator.serviceWorker.controller) await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }))
    })
    // installable: Chromium finds the manifest, its icons and the offline-capable worker in order
    const cdp = await phone!.context.newCDPSession(page)
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] }
    // (a test's browser context is incognito, where nothing installs: that one reason is the context's, not the app's)
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([])
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] }
    expect(manifest.url).toMatch(/\/h5\/manifest\.webmanifest$/)
    expect(manifest.errors).toEqual([])
    await cdp.detach()
    // it kept the app's files, never an API answer
    const kept = await page.evaluate(async () => {
      const urls: string[] = []
      for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(new URL(r.url).pathname)
      return urls
    })
    expect(kept).toContain('/h5/')
    expect(kept.some((u) => u.startsWith('/assets/') && u.endsWith('.js'))).toBe(true)
    expect(kept.filter((u) => u.startsWith('/graphql') || u.startsWith('/api'))).toEqual([])
    await phone!.context.setOffline(true)
    await page.reload()
    await page.locator('[data-test="modules"]').waitFor()
    await page.locator('[data-test="offline"]').waitFor()
    expect(await page.locator('.van-tabbar').isVisible()).toBe(true)
    await shot(page, 'h5-offline-390-zh')
    // an unseen screen's code was kept too
    await page.locator('.van-tabbar-item').filter({ hasText: '我的' }).click()
    await page.locator('[data-test="elder-switch"]').waitFor()
    await phone!.context.setOffline(false)
  })
})

/** A new number signs up with a login code; the profile asks its name first, then the home page greets it. */
async function signUp(page: Page, number: string, name: string, screenshot?: string): Promise<void> {
  const login = await new H5LoginPage(page).goto()
  await login.sendCode(number)
  await expect.poll(() => login.sendCodeLabel()).toMatch(/秒后重发/)
  await login.loginWithCode(await waitForCode(number, 'login'))
  // a new account has no name yet: the profile asks for one first
  await page.waitForURL(/\/h5\/profile\?welcome=1/)
  await page.locator('.van-dialog:visible [data-test="name-input"]').waitFor()
  if (screenshot) await snap(page, screenshot)
  await new H5ShellPage(page).saveName(name)
  await page.waitForURL((url) => url.pathname === '/h5/')
  await expect.poll(() => page.locator('[data-test="greeting"]').innerText()).toContain(name)
}

/**
 * The newest code the dev SMS stand-in wrote for this number and template, not used before (it is written just
 * after the request answers). A phone change's code goes out with the bind template.
 */
const seenCodes = new Set<string>()
async function waitForCode(number: string, template: 'login' | 'reset' | 'bind'): Promise<string> {
  const dataDir = inject('dataDir')
  let code: string | null = null
  await expect
    .poll(() => {
      code = lastSmsCode(dataDir, number, template)
      return code && !seenCodes.has(`${number}:${template}:${code}`) ? code : null
    })
    .not.toBeNull()
  seenCodes.add(`${number}:${template}:${code}`)
  return code as unknown as string
}
