/** Small helpers for Element Plus widgets, shared by the page objects. */
import type { Locator, Page } from 'playwright-core'

type Scope = Page | Locator

/** The <input> behind a data-test id: el-input puts the attribute on the input, el-input-number on its wrapper. */
export function input(scope: Scope, testId: string): Locator {
  return scope.locator(`input[data-test="${testId}"], [data-test="${testId}"] input`).first()
}

/** Type a value and leave the field, so components that commit on `change` (el-input-number) take it. */
export async function fill(scope: Scope, testId: string, value: string | number): Promise<void> {
  const field = input(scope, testId)
  await field.fill(String(value))
  await field.blur()
}

/** The open (visible) dialog with this data-test id; closed ones stay in the DOM. */
export function dialog(page: Page, testId: string): Locator {
  return page.locator(`.el-dialog[data-test="${testId}"]:visible`)
}

/** Pick an option of an el-select by its visible label. */
export async function choose(page: Page, select: Locator, label: string): Promise<void> {
  await select.click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: label }).first().click()
  await page.locator('.el-select-dropdown:visible').waitFor({ state: 'hidden' })
}

/** Wait for an ElMessage toast of this type and let it go, so the next one is not mistaken for it. */
export async function toast(page: Page, type: 'success' | 'error' = 'success'): Promise<string> {
  const message = page.locator(`.el-message--${type}`).last()
  await message.waitFor({ state: 'visible' })
  return (await message.innerText()).trim()
}

/**
 * Run an action and wait for the answer to the named GraphQL operation it causes (e.g. 'Owners'), so a list
 * is read after it has been refetched, not before.
 */
export async function afterOperation(page: Page, operation: string, action: () => Promise<unknown>): Promise<void> {
  // operations go by id (src/graphql/persisted.ts): the body names the operation, not its text
  const answered = page.waitForResponse((r) => {
    if (!r.url().endsWith('/graphql')) return false
    try {
      return (JSON.parse(r.request().postData() ?? '{}') as { operationName?: string }).operationName === operation
    } catch {
      return false
    }
  })
  await action()
  await answered
}

/** Rows of the DataTable (components/DataTable.vue) on the page, once it has stopped loading. */
export async function tableReady(page: Page): Promise<Locator> {
  const table = page.locator('[data-test="table"]')
  await table.waitFor({ state: 'visible' })
  // Overlapping reloads (an action's own and a live event's) can stack several masks: wait for all to go.
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-test="table"] .el-loading-mask')].every((m) => m.getClientRects().length === 0 || getComputedStyle(m).display === 'none'),
  )
  return table
}

/** The table row (<tr>) that mentions `text`. */
export function tableRow(page: Page, text: string | RegExp): Locator {
  return page.locator('[data-test="table"] tr.el-table__row').filter({ hasText: text })
}

/** Wait until the browser has painted twice (charts render on the next animation frame). */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))))
}
