/*
 * The owner app's service worker (scope /h5/): keeps the app shell (h5/index.html and every built file it can load,
 * listed in /h5/shell.json at build time) so the app starts offline. Pages: network first, the kept shell when
 * offline. Hashed /assets/ files: kept copy first (their names change with their content). /graphql and /api are
 * never intercepted or kept: they carry personal data and tokens.
 */
const CACHE = 'courtyard-h5-shell-v1'
const SHELL_INDEX = '/h5/'

async function keepShell() {
  const cache = await caches.open(CACHE)
  const response = await fetch('/h5/shell.json', { cache: 'no-store' })
  if (!response.ok) return
  const { files } = await response.json()
  const kept = new Set((await cache.keys()).map((r) => new URL(r.url).pathname))
  const wanted = [...files, '/h5/manifest.webmanifest', '/h5/icons/icon-192.png']
  await Promise.all(
    wanted
      .filter((f) => f === SHELL_INDEX || !kept.has(f))
      .map(async (f) => {
        const r = await fetch(f, { cache: 'no-cache' })
        if (r.ok) await cache.put(f, r)
      }),
  )
  // Drop assets of older builds that the current shell no longer lists.
  const current = new Set(wanted)
  await Promise.all(
    (await cache.keys())
      .filter((r) => {
        const path = new URL(r.url).pathname
        return path.startsWith('/assets/') && !current.has(path)
      })
      .map((r) => cache.delete(r)),
  )
}

self.addEventListener('install', (event) => {
  event.waitUntil(keepShell().then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('courtyard-h5-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  )
})

let refreshedAt = 0

async function page(request) {
  try {
    const response = await fetch(request)
    if (response.ok) {
      // A new build may have been deployed: keep its shell, at most once a minute.
      if (Date.now() - refreshedAt > 60_000) {
        refreshedAt = Date.now()
        keepShell().catch(() => undefined)
      }
    }
    return response
  } catch {
    const cache = await caches.open(CACHE)
    return (await cache.match(SHELL_INDEX)) || Response.error()
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE)
  const kept = await cache.match(request)
  if (kept) return kept
  const response = await fetch(request)
  if (response.ok) await cache.put(request, response.clone())
  return response
}

self.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin) return
  if (url.pathname.startsWith('/graphql') || url.pathname.startsWith('/api')) return
  if (request.mode === 'navigate' && url.pathname.startsWith('/h5')) {
    event.respondWith(page(request))
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request))
  } else if (url.pathname.startsWith('/h5/')) {
    event.respondWith(fetch(request).catch(async () => (await caches.match(url.pathname)) || Response.error()))
  }
})
