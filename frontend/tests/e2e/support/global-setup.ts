/**
 * Starts the real backend (`python -m backend.cli serve`) on a free port with a fresh data directory, so the demo
 * data is seeded, and stops its whole process group at the end. It builds nothing: frontend/dist must exist.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { CHROMIUM, CHROMIUM_HINT, DIST_INDEX, OUTPUT_DIR, PYTHON, REPO_ROOT, SCREENSHOT_DIR } from './env'

const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000
const SERVER_LOG = path.join(OUTPUT_DIR, 'e2e-server.log')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address ? address.port : 0
      srv.close(() => resolve(port))
    })
  })
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(nothing captured)'
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitHealthy(proc: ChildProcess, base: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) {
      throw new Error(`e2e: the backend exited with ${proc.exitCode} during start-up; log (${SERVER_LOG}):\n${tail(SERVER_LOG)}`)
    }
    try {
      const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })
      if (response.ok) return
      last = `/healthz answered ${response.status}`
    } catch (error) {
      last = String(error)
    }
    await sleep(200)
  }
  throw new Error(`e2e: the backend is not healthy after ${START_TIMEOUT_MS / 1000}s (${last}); log:\n${tail(SERVER_LOG)}`)
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || !proc.pid) return
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, signal) // negative pid: the whole process group
    } catch {
      // already gone
    }
  }
  killGroup('SIGTERM')
  const timer = sleep(STOP_TIMEOUT_MS).then(() => 'timeout' as const)
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
    killGroup('SIGKILL')
    await exited
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(DIST_INDEX)) {
    throw new Error(`e2e: ${DIST_INDEX} is missing. Build the console first: scripts/build-console (or npm run build in frontend/).`)
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`e2e: Chromium is missing at ${CHROMIUM}: ${CHROMIUM_HINT}`)
  }
  if (!existsSync(PYTHON)) {
    throw new Error(`e2e: ${PYTHON} is missing: run scripts/test (or scripts/run) once to create the virtualenv.`)
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  // Only this run's pictures and spreadsheets: clear what earlier runs left.
  for (const name of readdirSync(SCREENSHOT_DIR)) {
    if (name.endsWith('.png')) rmSync(path.join(SCREENSHOT_DIR, name))
  }
  rmSync(path.join(OUTPUT_DIR, 'xlsx'), { recursive: true, force: true })

  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'courtyard-e2e-'))
  // TRUSTED_DOCUMENTS=owners, production's default: owners and visitors run only trusted documents, sent by id (the
  // apps' from the codegen manifest, the tests' own registered by support/api.ts), so every scenario proves it works.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    COURTYARD_DATA_DIR: dataDir,
    COURTYARD_ENV: 'dev',
    TRUSTED_DOCUMENTS: 'owners',
  }
  // A fresh SQLite database in dataDir and the in-process broker, whatever the calling shell points at.
  delete env.DATABASE_URL
  delete env.REDIS_URL
  delete env.COURTYARD_DEMO_SIZE // the small demo: the scenarios count its communities and units
  const log = openSync(SERVER_LOG, 'w')
  const proc = spawn(PYTHON, ['-m', 'backend.cli', 'serve'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', log, log],
    detached: true, // its own process group, so teardown also stops anything it forks
  })
  closeSync(log)
  try {
    await waitHealthy(proc, base)
  } catch (error) {
    await stop(proc)
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
  project.provide('baseURL', base)
  project.provide('dataDir', dataDir)

  return async () => {
    await stop(proc)
    rmSync(dataDir, { recursive: true, force: true })
  }
}
