/** One Chromium per spec file, a fresh context (cookies, localStorage) per test, a screenshot when a test fails. */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest'
import { CHROMIUM, CHROMIUM_ARGS, SCREENSHOT_DIR } from './env'

export interface Session {
  baseURL: string
  browser: Browser
  page: Page
  context: BrowserContext
  /** Uncaught exceptions in the page during the current test. */
  pageErrors: string[]
}

export function useBrowser(locale = 'zh-CN'): Session {
  const baseURL = inject('baseURL')
  let browser: Browser
  const session = { baseURL, pageErrors: [] as string[] } as Session

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
    session.browser = browser
  })
  afterAll(async () => {
    await browser?.close()
  })
  beforeEach(async () => {
    session.context = await browser.newContext({ baseURL, locale, viewport: { width: 1440, height: 900 } })
    session.context.setDefaultTimeout(15_000)
    session.page = await session.context.newPage()
    session.pageErrors = []
    session.page.on('pageerror', (error) => session.pageErrors.push(String(error)))
  })
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && session.page) {
      const name = `FAILED-${ctx.task.name.replace(/[^\w-]+/g, '_').slice(0, 80)}.png`
      await session.page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true }).catch(() => undefined)
      if (session.pageErrors.length) console.error(`page errors in "${ctx.task.name}":\n${session.pageErrors.join('\n')}`)
    }
    await session.context?.close()
  })
  return session
}

/** Save a full-page screenshot of the current screen under test-output/screenshots/. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  // Let fonts and pending transitions settle so the picture shows the finished screen.
  await page.evaluate(() => document.fonts.ready.then(() => undefined))
  // Toasts ("已保存") from the last action would cover the top bar: leave them out of the picture.
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled', style: '.el-message { display: none !important; }' })
}

/** A second person on a phone (390 x 844, touch, a position to share) in the same browser; close it when done. */
export async function phoneContext(session: Session, locale = 'zh-CN'): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await session.browser.newContext({
    baseURL: session.baseURL,
    locale,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    permissions: ['geolocation'],
    geolocation: { latitude: 31.2304, longitude: 121.4737, accuracy: 12 },
    timezoneId: 'Asia/Shanghai',
  })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(String(error)))
  return { context, page, pageErrors }
}
