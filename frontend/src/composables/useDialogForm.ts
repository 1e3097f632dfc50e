/** State for a create/edit dialog: visible flag, model, field errors, busy flag. */
import { reactive, ref } from 'vue'
import type { FieldErrors, MutationResult } from '@/graphql/request'

export function useDialogForm<M extends object>(empty: () => M) {
  const visible = ref(false)
  const busy = ref(false)
  const editingId = ref<string | null>(null)
  const model = reactive(empty()) as M
  const errors = ref<FieldErrors>({})

  function open(values?: Partial<M>, id: string | null = null): void {
    Object.assign(model, empty(), values ?? {})
    errors.value = {}
    editingId.value = id
    visible.value = true
  }

  /** Run the save; close on success, keep field messages on failure. */
  async function submit<P>(save: () => Promise<MutationResult<P>>): Promise<boolean> {
    busy.value = true
    try {
      const result = await save()
      if (result.ok) {
        visible.value = false
        return true
      }
      errors.value = result.fields
      return false
    } finally {
      busy.value = false
    }
  }

  return { visible, busy, editingId, model, errors, open, submit }
}
