/** Where a signed-in caller lands: the phone view for a technician on a phone-sized screen, else the console. */
import type { Perm } from '@/graphql/generated/graphql'

/** Permissions that come with console screens for repairs: someone holding one of them is not only a technician. */
const CONSOLE_REPAIR_PERMS: readonly Perm[] = ['TICKET_READ', 'TICKET_DISPATCH', 'TICKET_STATS', 'REPAIR_CONFIG']
export const NARROW_MAX_WIDTH = 767
/** The technician's phone view. */
export const WORK_HOME = '/m/tickets'

/** A technician (ticket.work and no other repair permission) on a phone-sized screen starts in the phone view. */
export function prefersWorkView(perms: ReadonlySet<string>, viewportWidth: number): boolean {
  return perms.has('TICKET_WORK') && !CONSOLE_REPAIR_PERMS.some((p) => perms.has(p)) && viewportWidth <= NARROW_MAX_WIDTH
}
