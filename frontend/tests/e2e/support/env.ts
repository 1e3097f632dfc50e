/** Paths, browser flags and demo accounts shared by the end-to-end suite and its global setup. */
import { fileURLToPath } from 'node:url'
import path from 'node:path'

export const FRONTEND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const REPO_ROOT = path.resolve(FRONTEND_DIR, '..')
export const DIST_INDEX = path.join(FRONTEND_DIR, 'dist', 'index.html')
export const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output')
export const SCREENSHOT_DIR = path.join(OUTPUT_DIR, 'screenshots')
export const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python')

// Test tools cannot download browsers on these machines: Debian's Chromium, flags from STYLE.md.
export const CHROMIUM = process.env.COURTYARD_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMIUM_HINT = 'install with apt-get install -y chromium fonts-wqy-microhei'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export const DEMO_PASSWORD = 'Courtyard2026'
export const DEMO = {
  platformAdmin: '13800000000',
  companyAdmin: '13800000001',
  manager: '13800000002',
  technician: '13800000004',
  owner: '13900000001',
} as const

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the backend the global setup started, e.g. http://127.0.0.1:40123 */
    baseURL: string
    /** The backend's COURTYARD_DATA_DIR: the dev SMS stand-in writes sms-outbox.jsonl there (codes included). */
    dataDir: string
  }
}
