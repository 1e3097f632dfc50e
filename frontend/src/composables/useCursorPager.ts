/** Cursor pagination (first/after) shown as pages: remembers the cursor that starts each page visited. */
import { computed, ref, shallowRef } from 'vue'

export interface Page<R> {
  totalCount: number
  pageInfo: { hasNextPage: boolean; endCursor?: string | null }
  nodes: R[]
}

export function useCursorPager<R>(fetchPage: (first: number, after: string | null) => Promise<Page<R> | null>, pageSize = 20) {
  const rows = shallowRef<R[]>([])
  const total = ref(0)
  const page = ref(1)
  const hasNext = ref(false)
  const loading = ref(false)
  let cursors: (string | null)[] = [null]

  async function loadPage(n: number): Promise<void> {
    loading.value = true
    try {
      const result = await fetchPage(pageSize, cursors[n - 1] ?? null)
      if (!result) return
      rows.value = result.nodes
      total.value = result.totalCount
      hasNext.value = result.pageInfo.hasNextPage
      page.value = n
      cursors[n] = result.pageInfo.endCursor ?? null
    } finally {
      loading.value = false
    }
  }

  const reload = () => loadPage(page.value)
  const reset = () => {
    cursors = [null]
    return loadPage(1)
  }
  const next = () => (hasNext.value ? loadPage(page.value + 1) : Promise.resolve())
  const prev = () => (page.value > 1 ? loadPage(page.value - 1) : Promise.resolve())
  const pages = computed(() => Math.max(1, Math.ceil(total.value / pageSize)))

  return { rows, total, page, pages, hasNext, loading, reload, reset, next, prev }
}
