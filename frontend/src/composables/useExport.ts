/** Export a list as .xlsx with the filters the page is showing: one place for the button state and the notices. */
import { ref } from 'vue'
import { ElMessage } from 'element-plus'
import { exportList, type ExportList } from '@/api/imports'
import type { QueryParams } from '@/graphql/download'
import { t } from '@/locales'

export function useExport(list: ExportList, params: () => QueryParams) {
  const exporting = ref(false)

  async function run(): Promise<void> {
    if (exporting.value) return
    exporting.value = true
    try {
      const result = await exportList(list, params())
      if (!result.ok) return
      if (result.truncated) ElMessage.warning(t('imports.export.truncated', { n: result.rows ?? 0 }))
      else ElMessage.success(t('imports.export.done', { n: result.rows ?? 0 }))
    } finally {
      exporting.value = false
    }
  }

  return { exporting, run }
}
