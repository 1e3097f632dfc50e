/** The caller's homes and the one chosen as current, remembered on this device. Shared by the home page and screens. */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { fetchMyBindings, followMyBindings, type HomeBinding } from '@/h5/api/homes'
import type { BindingEventKind } from '@/graphql/generated/graphql'
import { useSessionStore } from '@/h5/stores/session'

export const CURRENT_HOME_KEY = 'courtyard.h5.home'

export type ApprovedHome = HomeBinding & { unit: NonNullable<HomeBinding['unit']> }

export function isApproved(b: HomeBinding): b is ApprovedHome {
  return b.status === 'APPROVED' && b.unit !== null
}

/** The remembered home if it is still an approved one, else the first approved, else none. */
export function pickCurrent(bindings: readonly HomeBinding[], rememberedId: string | null): ApprovedHome | null {
  const approved = bindings.filter(isApproved)
  return approved.find((b) => b.id === rememberedId) ?? approved[0] ?? null
}

/** "阳光花园 1号楼 101": the community's name without its English half, the building and the unit number. */
export function homeLabel(b: ApprovedHome): string {
  return `${shortName(b.unit.community.name)} ${b.unit.building.name} ${b.unit.number}`
}

/**
 * Any binding in words, as the approved homes are named: its unit when the caller may see it, else the server's
 * unitLabel ("阳光花园 Sunshine Garden 1号楼 302", given even to the requester of a pending or rejected request).
 */
export function bindingLabel(b: HomeBinding): string {
  return isApproved(b) ? homeLabel(b) : shortUnitLabel(b.unitLabel)
}

/**
 * "阳光花园 Sunshine Garden 1号楼 302" → "阳光花园 1号楼 302": the community's English half dropped as shortName drops it.
 * The label is "community building number" in one string, so the Latin words after the Chinese name are dropped
 * only when a building with Chinese in its name ("1号楼", "A座") and the number still follow them; otherwise the
 * Latin words might be the building's ("Tower B") and the label stays whole.
 */
export function shortUnitLabel(label: string): string {
  const words = label.trim().split(/\s+/)
  const latin = (w: string) => /^[A-Za-z][A-Za-z'’&.-]*$/.test(w)
  const first = words.findIndex(latin)
  if (first <= 0 || !/[\u3400-\u9fff]/.test(words.slice(0, first).join(''))) return label
  let end = first
  while (end < words.length && latin(words[end])) end += 1
  if (words.length - end < 2 || !/[\u3400-\u9fff]/.test(words[end])) return label
  return [...words.slice(0, first), ...words.slice(end)].join(' ')
}

/** Demo and real names are often "中文 English"; on a phone the part before the first Latin letter is enough. */
export function shortName(name: string): string {
  const cut = name.search(/\s[A-Za-z]/)
  // Only a Chinese name with an English one after it is cut: "Maple Court" stays whole.
  return cut > 0 && /[\u3400-\u9fff]/.test(name.slice(0, cut)) ? name.slice(0, cut) : name
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

function writeStorage(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key)
    else localStorage.setItem(key, value)
  } catch {
    // Private mode or a full quota: the choice lasts for this visit only.
  }
}

export type BindingListener = (kind: BindingEventKind, binding: HomeBinding) => void

export const useHomeStore = defineStore('h5-home', () => {
  const bindings = ref<HomeBinding[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const rememberedId = ref<string | null>(readStorage(CURRENT_HOME_KEY))

  const approved = computed(() => bindings.value.filter(isApproved))
  const pending = computed(() => bindings.value.filter((b) => b.status === 'PENDING'))
  const invitations = computed(() => bindings.value.filter((b) => b.status === 'INVITED'))
  const current = computed(() => pickCurrent(bindings.value, rememberedId.value))
  const currentLabel = computed(() => (current.value ? homeLabel(current.value) : ''))
  const isOwnerOfCurrent = computed(() => current.value?.relation === 'OWNER')

  /** Reads the caller's bindings again; keeps the last list when the request fails. */
  async function load(): Promise<void> {
    loading.value = true
    try {
      const list = await fetchMyBindings()
      if (list !== null) {
        bindings.value = list
        loaded.value = true
      }
    } finally {
      loading.value = false
    }
  }

  /** Makes an approved home the current one and remembers it on this device. */
  function select(id: string): void {
    if (!approved.value.some((b) => b.id === id)) return
    rememberedId.value = id
    writeStorage(CURRENT_HOME_KEY, id)
  }

  /** Puts a binding (from a mutation or a live event) in the list, replacing the one with its id. */
  function upsert(binding: HomeBinding): void {
    const at = bindings.value.findIndex((b) => b.id === binding.id)
    if (at >= 0) bindings.value.splice(at, 1, binding)
    else bindings.value.push(binding)
  }

  // One subscription however many screens listen; each screen says what it shows (a toast, a new state).
  const listeners = new Set<BindingListener>()
  let stopLive: (() => void) | null = null

  /**
   * Follows the caller's bindings while a screen is open: each event updates the list (a request approved gains its
   * unit) and reaches the screen's listener. Pub/sub can drop messages, so the list is read again on subscribe.
   */
  function followLive(listener?: BindingListener): () => void {
    const own: BindingListener = listener ?? (() => undefined)
    listeners.add(own)
    if (!stopLive) {
      stopLive = followMyBindings((kind, binding) => {
        upsert(binding)
        if (kind === 'REMOVED' || kind === 'CANCELLED') void load()
        for (const l of listeners) l(kind, binding)
      })
    }
    void load()
    return () => {
      listeners.delete(own)
      if (listeners.size === 0 && stopLive) {
        stopLive()
        stopLive = null
      }
    }
  }

  /** Forgets everything (sign-out): the next person on this phone starts with no homes. */
  function reset(): void {
    stopLive?.()
    stopLive = null
    listeners.clear()
    bindings.value = []
    loaded.value = false
    rememberedId.value = null
    writeStorage(CURRENT_HOME_KEY, null)
  }

  // Another person signing in on this phone (or signing out) must not see the last one's homes, even for a moment.
  const session = useSessionStore()
  watch(
    () => session.user?.id ?? null,
    (id, before) => {
      if (id === before) return
      if (id === null) {
        reset()
        return
      }
      bindings.value = []
      loaded.value = false
      if (listeners.size) void load()
    },
  )

  return {
    bindings, loaded, loading, approved, pending, invitations, current, currentLabel, isOwnerOfCurrent,
    load, select, upsert, followLive, reset,
  }
})
