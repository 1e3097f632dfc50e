/** Communities & units (/communities): the lazily loaded community → building → unit tree and its dialogs. */
import type { Locator, Page } from 'playwright-core'
import { choose, dialog, fill, toast } from './ui'

export interface BuildingForm { name: string; floors: number }
export interface BulkForm { floorFrom: number; floorTo: number; perFloor: number; area?: number }
export interface UnitForm { number: string; floor: number; area: number; typeLabel?: string }

export class StructurePage {
  constructor(private readonly page: Page) {}

  async goto(): Promise<this> {
    await this.page.goto('/communities')
    await this.page.locator('[data-test="tree-community"]').first().waitFor()
    return this
  }

  community(name: string): Locator {
    return this.page.locator('[data-test="tree-community"]').filter({ hasText: name })
  }

  building(name: string): Locator {
    return this.page.locator('[data-test="tree-building"]').filter({ hasText: name })
  }

  /** The el-tree node (role=treeitem) a row belongs to. */
  private item(row: Locator): Locator {
    return row.locator('xpath=ancestor::div[@role="treeitem"][1]')
  }

  /** Expand a community or building row (no-op when it is open) and wait until its children have loaded. */
  async expand(row: Locator): Promise<void> {
    const item = this.item(row)
    if ((await item.getAttribute('aria-expanded')) !== 'true') {
      await row.locator('xpath=..').locator('.el-tree-node__expand-icon').click()
    }
    await this.waitLoaded(row)
  }

  private async waitLoaded(row: Locator): Promise<void> {
    const item = this.item(row)
    await this.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await item.elementHandle())
    await row.locator('xpath=..').locator('.el-tree-node__loading-icon').waitFor({ state: 'hidden' })
  }

  /** Add a building to a community through its dialog; returns the new building's tree row. */
  async addBuilding(communityName: string, form: BuildingForm): Promise<Locator> {
    const community = this.community(communityName)
    await community.locator('[data-test="building-create"]').click()
    const d = dialog(this.page, 'tenancy-dialog')
    await fill(d, 'field-name', form.name)
    await fill(d, 'field-floors', form.floors)
    await this.save(d)
    const row = this.building(form.name)
    await row.waitFor()
    return row
  }

  /** Generate units floor by floor (“批量生成房屋”) under a building; the building then shows its units. */
  async bulkCreateUnits(building: Locator, form: BulkForm): Promise<void> {
    await building.locator('[data-test="unit-bulk"]').click()
    const d = dialog(this.page, 'tenancy-dialog')
    await fill(d, 'field-floorFrom', form.floorFrom)
    await fill(d, 'field-floorTo', form.floorTo)
    await fill(d, 'field-perFloor', form.perFloor)
    if (form.area !== undefined) await fill(d, 'field-area', form.area)
    await this.save(d)
    await this.waitLoaded(building)
  }

  /** Add one unit to a building through its dialog. */
  async addUnit(building: Locator, form: UnitForm): Promise<void> {
    await building.locator('[data-test="unit-create"]').click()
    const d = dialog(this.page, 'tenancy-dialog')
    await fill(d, 'field-number', form.number)
    await fill(d, 'field-floor', form.floor)
    await fill(d, 'field-area', form.area)
    if (form.typeLabel) await choose(this.page, d.locator('[data-test="field-type"]'), form.typeLabel)
    await this.save(d)
    await this.waitLoaded(building)
  }

  /** Unit numbers shown under an expanded building. */
  async unitNumbers(building: Locator): Promise<string[]> {
    const units = this.item(building).locator('[data-test="tree-unit"] .label')
    return (await units.allInnerTexts()).map((s) => s.trim())
  }

  /** The grey summary next to a row's name, e.g. "3 层 · 7 户". */
  async meta(row: Locator): Promise<string> {
    return (await row.locator('.meta').innerText()).trim()
  }

  unit(building: Locator, number: string): Locator {
    return this.item(building).locator('[data-test="tree-unit"]').filter({ has: this.page.locator('.label', { hasText: new RegExp(`^${number}$`) }) })
  }

  private async save(d: Locator): Promise<void> {
    await d.locator('[data-test="dialog-submit"]').click()
    await toast(this.page, 'success')
    await d.waitFor({ state: 'hidden' })
  }
}
