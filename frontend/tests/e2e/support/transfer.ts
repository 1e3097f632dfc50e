/** What a page costs over the wire: every response's encoded bytes (headers + body as sent), from Chromium's CDP. */
import type { Page } from 'playwright-core'

export interface Transfer {
  /** Bytes received for the page and everything it loaded, as sent (compressed when the server compressed). */
  bytes: number
  requests: { url: string; bytes: number; encoding: string }[]
}

/** Open `url` in `page` with an empty cache, wait until the network is idle and add up what came in. */
export async function measureTransfer(page: Page, url: string, ready: string): Promise<Transfer> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  const urls = new Map<string, { url: string; encoding: string }>()
  const sizes = new Map<string, number>()
  cdp.on('Network.responseReceived', (e) => {
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]))
    urls.set(e.requestId, { url: e.response.url, encoding: headers['content-encoding'] ?? '' })
  })
  cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength))
  await page.goto(url, { waitUntil: 'networkidle' })
  await page.locator(ready).waitFor()
  await cdp.detach()
  const requests = [...urls.entries()].map(([id, r]) => ({ ...r, bytes: sizes.get(id) ?? 0 }))
  return { bytes: requests.reduce((sum, r) => sum + r.bytes, 0), requests }
}
