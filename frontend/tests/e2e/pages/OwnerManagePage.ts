/** Owners managed by hand: the 新增业主 dialog on /owners, and the owner page's edit, add-unit and unbind actions. */
import type { Locator, Page } from 'playwright-core'
import { afterOperation, dialog, fill, input, toast } from './ui'

export interface NewOwner { name: string; phone: string; unitSearch: string }

export class OwnerManagePage {
  constructor(private readonly page: Page) {}

  /** Open 新增业主 and fill it in, picking the first unit the search finds; returns the dialog and the unit's label. */
  async fillCreate(owner: NewOwner): Promise<{ dialog: Locator; unitLabel: string }> {
    await this.page.locator('[data-test="owner-create"]').click()
    const d = dialog(this.page, 'owner-create-dialog')
    await d.waitFor()
    await fill(d, 'field-name', owner.name)
    await fill(d, 'field-phone', owner.phone)
    const unitLabel = await this.pickUnit(d, 'field-unit-0', owner.unitSearch)
    return { dialog: d, unitLabel }
  }

  /** Save the open 新增业主 dialog and wait for the success toast (the list is refetched). */
  async saveCreate(d: Locator): Promise<string> {
    await afterOperation(this.page, 'Owners', () => d.locator('[data-test="dialog-submit"]').click())
    return toast(this.page, 'success')
  }

  /** Type into a unit picker and choose the first option offered; returns that option's label. */
  async pickUnit(scope: Locator, testId: string, search: string): Promise<string> {
    const field = input(scope, testId)
    await field.click()
    await field.fill(search)
    // The picker first lists any units, then (debounced) those matching: wait for a match.
    const option = this.page.locator('.el-select-dropdown:visible .el-select-dropdown__item').filter({ hasText: new RegExp(`-${search}$`) }).first()
    await option.waitFor()
    const label = (await option.innerText()).trim()
    await option.click()
    return label
  }

  /** On the owner page: the bindings table's rows. */
  bindingRows(): Locator {
    return this.page.locator('[data-test="owner-bindings"] tr.el-table__row')
  }

  /** Unbind the binding row mentioning `text`, giving a reason. */
  async unbind(text: string | RegExp, reason: string): Promise<string> {
    await this.bindingRows().filter({ hasText: text }).locator('[data-test="binding-unbind"]').click()
    const d = dialog(this.page, 'reject-dialog')
    await d.waitFor()
    await d.locator('textarea[data-test="reject-reason"], [data-test="reject-reason"] textarea').first().fill(reason)
    await d.locator('[data-test="dialog-submit"]').click()
    return toast(this.page, 'success')
  }
}
