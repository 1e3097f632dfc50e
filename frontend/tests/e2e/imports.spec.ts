/** Scenario 2: a company admin imports owners from an .xlsx with one bad row, sees the row error, fixes it and imports. */
import { describe, expect, it } from 'vitest'
import { snap, useBrowser } from './support/browser'
import { DEMO } from './support/env'
import { writeXlsx } from './support/xlsx'
import { ImportsPage } from './pages/ImportsPage'
import { LoginPage } from './pages/LoginPage'
import { OwnersPage } from './pages/OwnersPage'
import { ShellPage } from './pages/ShellPage'

const HEADER = ['小区 Community', '楼栋 Building', '房号 Unit number', '姓名 Name', '手机 Phone', '关系 Relation']
const COMMUNITY = '阳光花园 Sunshine Garden'

describe('company admin, owner import', () => {
  const s = useBrowser('zh-CN')

  it('imports owners from an .xlsx with one bad row, sees the row error, fixes it and imports', async () => {
    const { page } = s
    const stamp = Date.now().toString().slice(-8)
    const first = { name: `导入甲${stamp.slice(-4)}`, phone: `136${stamp}` }
    const second = { name: `导入乙${stamp.slice(-4)}`, phone: `135${stamp}` }
    const rows = (secondPhone: string) => [
      HEADER,
      [COMMUNITY, '1号楼', '301', first.name, first.phone, '业主'],
      [COMMUNITY, '1号楼', '302', second.name, secondPhone, '租户'],
    ]

    // Given the company admin opens the Excel import screen and chooses owners
    await new LoginPage(page).goto().then((p) => p.login(DEMO.companyAdmin))
    const shell = await new ShellPage(page).ready()
    await shell.open('imports', '/imports')
    const imports = await new ImportsPage(page).goto()
    await imports.chooseKind('OWNERS')

    // When they upload a sheet whose second data row (spreadsheet row 3) has a phone that is not a mobile number
    await imports.upload(writeXlsx(`owners-bad-${stamp}.xlsx`, rows('12345')))

    // Then the preview counts one bad row, names the phone column in row 3, and import stays disabled
    expect(await imports.counts()).toEqual({ total: '共 2 行', valid: '1 行无误', errors: '1 行有错误' })
    expect((await imports.rowErrors(2)).texts).toEqual([])
    const bad = await imports.rowErrors(3)
    expect(bad.columns).toEqual(['phone'])
    expect(bad.texts[0]).toMatch(/^手机/)
    expect(await imports.commitButton().isDisabled()).toBe(true)
    await snap(page, '10-import-row-error-zh')

    // When they fix the phone and upload the file again
    await imports.upload(writeXlsx(`owners-fixed-${stamp}.xlsx`, rows(second.phone)))
    expect(await imports.counts()).toEqual({ total: '共 2 行', valid: '2 行无误', errors: '0 行有错误' })
    expect(await imports.commitButton().isEnabled()).toBe(true)

    // Then importing succeeds and both people are owners of their units
    await imports.commit()
    await snap(page, '11-import-done-zh')
    const owners = await new OwnersPage(page).goto()
    await owners.search(first.name)
    expect(await owners.units(first.name)).toContain('1号楼-301')
    await owners.search(second.name)
    expect(await owners.units(second.name)).toContain('1号楼-302')
    expect(s.pageErrors).toEqual([])
  })
})
