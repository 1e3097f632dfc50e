/**
 * Write small .xlsx files for import tests with the backend's own openpyxl (in .venv): the front end has no
 * spreadsheet writer, and this keeps the e2e suite free of extra npm packages.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { OUTPUT_DIR, PYTHON } from './env'

const WRITE = `
import json, sys
from openpyxl import Workbook
book = Workbook()
sheet = book.active
for row in json.loads(sys.argv[2]):
    sheet.append(row)
book.save(sys.argv[1])
`

// Kept next to the screenshots (test-output/ is git-ignored), so a failed import can be opened and looked at.
const dir = path.join(OUTPUT_DIR, 'xlsx')

/** Write `rows` (the first one is the header) to test-output/xlsx/<name> and return its path. */
export function writeXlsx(name: string, rows: (string | number)[][]): string {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, name)
  execFileSync(PYTHON, ['-c', WRITE, file, JSON.stringify(rows)], { stdio: ['ignore', 'ignore', 'inherit'] })
  return file
}
