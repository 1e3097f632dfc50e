/** Live progress of an import commit: the importProgress subscription, or polling node(id) when the socket fails. */
import { onBeforeUnmount, ref, shallowRef } from 'vue'
import { fetchImportJob, onImportProgress, type ImportJob } from '@/api/imports'
import { isFinished, newer } from '@/domains/imports/jobs'

export interface ProgressOptions {
  pollMs?: number
  /** The subscription sends the job at once; silence this long means the socket is not working. */
  firstReportMs?: number
}

export function useImportProgress(options: ProgressOptions = {}) {
  const pollMs = options.pollMs ?? 1000
  const firstReportMs = options.firstReportMs ?? 2000
  const job = shallowRef<ImportJob | null>(null)
  const polling = ref(false)
  let stopSubscription: (() => void) | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let watching: string | null = null
  let listening: (() => void) | null = null

  /** The first report (or the switch to polling) means progress can be followed: the commit may start. */
  function ready(): void {
    listening?.()
    listening = null
  }

  function report(next: ImportJob): void {
    ready()
    job.value = newer(job.value, next)
    if (isFinished(next.status)) stop()
  }

  function clearTimer(): void {
    if (timer) clearTimeout(timer)
    timer = null
  }

  function startPolling(id: string): void {
    if (watching !== id || polling.value) return
    stopSubscription?.()
    stopSubscription = null
    clearTimer()
    polling.value = true
    ready()
    const tick = async (): Promise<void> => {
      const fresh = await fetchImportJob(id)
      if (watching !== id) return
      if (fresh) report(fresh)
      if (watching === id) timer = setTimeout(() => void tick(), pollMs)
    }
    timer = setTimeout(() => void tick(), pollMs)
  }

  /** Follow a job; resolves once its progress is being followed, so no early event of a commit is missed. */
  function start(id: string): Promise<void> {
    stop()
    watching = id
    job.value = null
    const following = new Promise<void>((resolve) => {
      listening = resolve
    })
    let heard = false
    stopSubscription = onImportProgress(
      id,
      (next) => {
        heard = true
        if (watching === id) report(next)
      },
      () => startPolling(id),
    )
    timer = setTimeout(() => {
      if (!heard) startPolling(id)
    }, firstReportMs)
    return following
  }

  function stop(): void {
    ready()
    watching = null
    polling.value = false
    clearTimer()
    stopSubscription?.()
    stopSubscription = null
  }

  onBeforeUnmount(stop)
  return { job, polling, start, stop }
}
