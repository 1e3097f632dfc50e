/**
 * Vant's fixed bars (tab bar, action bars with `safe-area-inset-bottom`) measure their height again 100, 200 and 300 ms
 * after mounting, on real timers. A spec file that ends sooner would leave those timers to fire after its DOM is torn
 * down ("window is not defined", an unhandled error that fails the run), so specs that mount Vant screens wait them out.
 */
import { afterAll } from 'vitest'

const VANT_REMEASURE_MS = 350

export function settleVantTimersAfterAll(): void {
  afterAll(() => new Promise<void>((resolve) => setTimeout(resolve, VANT_REMEASURE_MS)))
}
