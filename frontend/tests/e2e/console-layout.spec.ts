/**
 * The console as staff find it: the repair board and the ticket list fit a 1280 px window and a 390 px phone
 * without the page scrolling sideways or columns being cut, the menu folds behind a button on a phone, and a
 * refused delete (a building that still has units) tells the person why, in their language.
 */
import path from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { gql, login } from './support/api'
import { phoneContext, snap, useBrowser } from './support/browser'
import { DEMO, DEMO_PASSWORD, SCREENSHOT_DIR } from './support/env'
import { LoginPage } from './pages/LoginPage'
import { StructurePage } from './pages/StructurePage'
import { TicketsBoardPage } from './pages/TicketsBoardPage'
import { TicketsListPage } from './pages/TicketsListPage'
import { tableReady, toast } from './pages/ui'

/** How far the page and the console's main area reach beyond the window, sideways (0 when nothing does). */
function overflow(page: Page): Promise<{ page: number; main: number }> {
  return page.evaluate(() => {
    const main = document.querySelector('.el-main')
    return {
      page: document.scrollingElement!.scrollWidth - window.innerWidth,
      main: main ? main.scrollWidth - main.clientWidth : 0,
    }
  })
}

/** The board's columns that reach past the window's right edge, and technician names cut short on a card. */
function boardClipping(page: Page): Promise<{ cutColumns: string[]; cutNames: string[]; names: number }> {
  return page.evaluate(() => {
    const columns = [...document.querySelectorAll<HTMLElement>('[data-test^="board-column-"]')]
    const names = [...document.querySelectorAll<HTMLElement>('[data-test="card-technician"]')]
    return {
      cutColumns: columns.filter((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5).map((c) => c.dataset.test ?? ''),
      cutNames: names.filter((n) => n.scrollWidth > n.clientWidth + 1).map((n) => n.innerText),
      names: names.length,
    }
  })
}

/** Cells of the ticket table whose text does not fit, and whether the table itself has to scroll sideways. */
function tableClipping(page: Page): Promise<{ cut: string[]; tableScrolls: boolean; covered: number }> {
  return page.evaluate(() => {
    const cells = [...document.querySelectorAll<HTMLElement>('[data-test="table"] td .cell')]
    const wrap = document.querySelector<HTMLElement>('[data-test="table"] .el-table__body-wrapper .el-scrollbar__wrap')
    return {
      cut: cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.innerText.slice(0, 40)),
      tableScrolls: wrap ? wrap.scrollWidth > wrap.clientWidth + 1 : false,
      // A column pinned over others (the old fixed 操作 column lay over 维修师傅).
      covered: document.querySelectorAll('[data-test="table"] .el-table-fixed-column--right').length,
    }
  })
}

describe('the console at 1280 px and on a phone', () => {
  const s = useBrowser('zh-CN')

  it('fits the repair board and the ticket list into a 1280 px window', async () => {
    const { page } = s
    await page.setViewportSize({ width: 1280, height: 800 })
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))

    const board = await new TicketsBoardPage(page).goto('?noanim')
    expect(await overflow(page)).toEqual({ page: 0, main: 0 })
    let clipping = await boardClipping(page)
    expect(clipping.cutColumns).toEqual([])
    expect(clipping.names).toBeGreaterThan(0)
    expect(clipping.cutNames).toEqual([])
    // One word per status: the column of accepted tickets says what the dashboard and the list say.
    expect(await board.column('accepted').locator('.column-title').innerText()).toBe('待派单')
    await snap(page, 'layout-board-1280')

    await board.showFinished()
    expect(await overflow(page)).toEqual({ page: 0, main: 0 })
    clipping = await boardClipping(page)
    expect(clipping.cutColumns).toEqual([])
    expect(clipping.cutNames).toEqual([])
    const last = await board.column('done').boundingBox()
    expect(last && last.x + last.width).toBeLessThanOrEqual(1280)
    await snap(page, 'layout-board-done-1280')

    const list = await new TicketsListPage(page).goto()
    await tableReady(page)
    expect(await overflow(page)).toEqual({ page: 0, main: 0 })
    const table = await tableClipping(page)
    expect(table.tableScrolls).toBe(false)
    expect(table.covered).toBe(0)
    expect(table.cut).toEqual([])
    expect((await list.numbers()).length).toBeGreaterThan(0)
    await snap(page, 'layout-tickets-1280')
  })

  it('fits the board with finished tickets into 1440 px too', async () => {
    const { page } = s
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
    const board = await new TicketsBoardPage(page).goto('?noanim')
    await board.showFinished()
    expect(await overflow(page)).toEqual({ page: 0, main: 0 })
    expect((await boardClipping(page)).cutColumns).toEqual([])
  })

  it('folds the menu and keeps the board and the list inside a 390 px phone', async () => {
    const phone = await phoneContext(s)
    try {
      const { page } = phone
      await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
      // The menu is behind a button, not a fixed 232 px column.
      expect(await page.locator('.el-aside').count()).toBe(0)
      await page.locator('[data-test="menu-toggle"]').click()
      await page.locator('[data-test="menu-drawer"] [data-test="menu-repairs-board"]').click()
      await page.waitForURL(/\/repairs\/board/)
      await page.locator('[data-test="board-live"][data-state="live"]').waitFor()
      await page.locator('[data-test="ticket-card"]').first().waitFor()
      expect((await overflow(page)).page).toBe(0)
      expect((await boardClipping(page)).cutNames).toEqual([])
      await snap(page, 'layout-board-390')

      await new TicketsListPage(page).goto()
      await tableReady(page)
      const o = await overflow(page)
      expect(o.page).toBe(0)
      expect(o.main).toBe(0)
      // The table scrolls inside its card.
      expect((await tableClipping(page)).tableScrolls).toBe(true)
      await snap(page, 'layout-tickets-390')

      await page.goto('/')
      await page.locator('[data-test="stat-communities"] .stat-value').waitFor()
      expect((await overflow(page)).page).toBe(0)
      await snap(page, 'layout-dashboard-390')

      // The other screens of the shell stay inside the phone too.
      const structure = await new StructurePage(page).goto()
      await structure.expand(structure.community('阳光花园'))
      expect((await overflow(page)).page).toBe(0)
      await snap(page, 'layout-communities-390')
      await page.goto('/staff')
      await tableReady(page)
      expect((await overflow(page)).page).toBe(0)
      await snap(page, 'layout-staff-390')
    } finally {
      await phone.context.close()
    }
  })
})

describe('refusals reach the person', () => {
  const s = useBrowser('zh-CN')

  it('says why a building that still has units cannot be deleted, in Chinese and in English', async () => {
    const { page } = s
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
    const structure = await new StructurePage(page).goto()
    const community = structure.community('阳光花园')
    await structure.expand(community)
    const building = structure.building('1号楼').first()

    await building.locator('[data-test="node-delete"]').click()
    await page.locator('.el-message-box .el-button--primary').click()
    expect(await toast(page, 'error')).toBe('该楼栋下还有房屋：请先删除房屋。')
    // With the toast in the picture (snap() leaves toasts out).
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'refusal-building-in-use-zh.png'), animations: 'disabled' })
    expect(await structure.building('1号楼').count()).toBeGreaterThan(0)

    await page.locator('[data-test="lang-switch"]').getByText('English').click()
    await page.locator('.el-message--error').last().waitFor({ state: 'hidden' })
    await building.locator('[data-test="node-delete"]').click()
    await page.locator('.el-message-box .el-button--primary').click()
    expect(await toast(page, 'error')).toBe('This building still has units: delete its units first.')
  })
})

describe('empty and permission states say why', () => {
  const s = useBrowser('zh-CN')

  it('shows a manager the staff list with a labelled status filter and no empty 操作 column', async () => {
    const { page } = s
    await new LoginPage(page).goto().then((p) => p.login(DEMO.manager))
    await page.goto('/staff')
    await tableReady(page)
    const headers = (await page.locator('[data-test="table"] th').allInnerTexts()).map((h) => h.trim())
    expect(headers).toContain('职位')
    expect(headers).not.toContain('操作')
    const filter = page.locator('[data-test="staff-active"]')
    expect(await filter.innerText()).toContain('状态')
    expect(await filter.locator('.el-select__selected-item:not(.is-hidden)').first().innerText()).toBe('全部')
    await snap(page, 'staff-manager-1280')
  })

  it('asks the administrator of a new company to create the first community', async () => {
    const { page, baseURL } = s
    const token = await login(baseURL, DEMO.platformAdmin)
    const phone = `1370000${String(Date.now()).slice(-4)}`
    const created = await gql<{ companyCreate: { company: { id: string } | null; errors: { code: string }[] } }>(
      baseURL,
      'mutation E2ENewCompany($input: CompanyCreateInput!) { companyCreate(input: $input) { company { id } errors { code } } }',
      { input: { name: `新公司 ${phone}`, adminPhone: phone, adminName: '新管理员', adminPassword: DEMO_PASSWORD } },
      token,
    )
    expect(created.data?.companyCreate.errors).toEqual([])
    await new LoginPage(page).goto().then((p) => p.login(phone))
    const prompt = page.locator('[data-test="dashboard-no-communities"]')
    await prompt.waitFor()
    expect(await prompt.innerText()).toContain('创建第一个小区')
    expect(await page.locator('[data-test="dashboard-chart"]').count()).toBe(0)
    await snap(page, 'dashboard-new-company-1280')
    await prompt.locator('[data-test="dashboard-create-community"]').click()
    await page.waitForURL(/\/communities$/)
  })

  it('tells a guard why the owner figures are not shown', async () => {
    const { page } = s
    await new LoginPage(page).goto().then((p) => p.login('13800000006'))
    await page.locator('[data-test="stat-owners"] [data-test="stat-denied"]').waitFor()
    expect(await page.locator('[data-test="stat-owners"]').innerText()).toContain('您的角色不能查看业主信息')
    await snap(page, 'dashboard-guard-1280')
  })
})

describe('in English', () => {
  const s = useBrowser('en')

  it('keeps words whole in the statistics table and says durations in minutes under an hour', async () => {
    const { page } = s
    await page.setViewportSize({ width: 1280, height: 800 })
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
    await page.locator('[data-test="lang-switch"]').getByText('English').click()
    await page.goto('/repairs/stats?noanim')
    await tableReady(page)
    expect(await page.locator('[data-test="table"] th').allInnerTexts()).toContain('Completed')
    // The demo's one completed ticket took less than a minute: said so, not "0 hours".
    expect(await page.locator('[data-test="cell-avgCompletionMinutes"]').first().innerText()).toMatch(/min/)
    // No header broken inside a word ("Complet-ed"): every line break falls at a space.
    const broken = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-test="table"] th .cell')]
        .filter((c) => !c.innerText.includes(' ') && c.getBoundingClientRect().height > parseFloat(getComputedStyle(c).lineHeight) * 1.5)
        .map((c) => c.innerText),
    )
    expect(broken).toEqual([])
    expect((await overflow(page)).page).toBe(0)
    await snap(page, 'stats-en-1280')
  })
})
