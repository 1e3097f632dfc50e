/** State shared by the board and the list: filters kept in the URL, filter options, the open ticket (?ticket=<id>). */
import { computed, ref, shallowRef } from 'vue'
import { useRoute, useRouter, type LocationQueryRaw } from 'vue-router'
import { fetchWorkload, listCategories, type RepairCategory, type Workload } from '@/api/repairs'
import { useAuthStore } from '@/stores/auth'
import { usePreferencesStore } from '@/stores/preferences'
import { searchFromQuery, searchToQuery, toTicketFilter, type TicketSearch } from './data'

export function useTicketScreen() {
  const route = useRoute()
  const router = useRouter()
  const auth = useAuthStore()
  const prefs = usePreferencesStore()
  const search = ref<TicketSearch>(searchFromQuery(route.query))
  const categories = shallowRef<RepairCategory[]>([])
  const technicians = shallowRef<Workload[]>([])

  /** The console-wide community choice, when it is one the caller works in (else: every community). */
  const communityId = computed(() => {
    const id = prefs.communityId
    return id && (auth.viewer?.communities ?? []).some((c) => c.id === id) ? id : null
  })
  /** Communities whose events the screen follows. */
  const liveCommunityIds = computed(() => (communityId.value ? [communityId.value] : (auth.viewer?.communities ?? []).map((c) => c.id)))
  const filter = computed(() => toTicketFilter(search.value, communityId.value))

  const openTicketId = computed(() => {
    const value = route.query.ticket
    const id = Array.isArray(value) ? value[0] : value
    return id || null
  })

  function openTicket(id: string): void {
    void router.replace({ query: { ...route.query, ticket: id } })
  }
  function closeTicket(): void {
    const query = { ...route.query }
    delete query.ticket
    void router.replace({ query })
  }

  /** Write the filters to the URL, so a reload or a shared link shows the same tickets. */
  function syncUrl(): Promise<unknown> {
    return router.replace({ query: searchToQuery(search.value, route.query) })
  }

  /** The filters as a URL query without the open ticket, for links to the other ticket screen. */
  function filterQuery(): LocationQueryRaw {
    const query = searchToQuery(search.value, route.query)
    delete query.ticket
    return query
  }

  /** Change the console's community: the page is re-created for it, so the URL must hold the filters first. */
  async function changeCommunity(id: string | null): Promise<void> {
    search.value = { ...search.value, technicianId: '' }
    await syncUrl()
    prefs.setCommunity(id)
  }

  async function loadOptions(): Promise<void> {
    const [cats, work] = await Promise.all([
      listCategories(true),
      communityId.value ? fetchWorkload(communityId.value) : Promise.resolve([] as Workload[]),
    ])
    categories.value = cats ?? []
    technicians.value = work ?? []
    // A technician from a link or another community is not among the choices: drop that filter.
    const tech = search.value.technicianId
    if (tech && !technicians.value.some((w) => w.technician.staffMemberId === tech)) {
      search.value = { ...search.value, technicianId: '' }
      await syncUrl()
    }
  }

  return {
    search, categories, technicians, communityId, liveCommunityIds, filter, openTicketId,
    openTicket, closeTicket, syncUrl, filterQuery, changeCommunity, loadOptions,
  }
}
