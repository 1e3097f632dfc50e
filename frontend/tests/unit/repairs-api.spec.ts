import { beforeEach, describe, expect, it, vi } from 'vitest'

// What the server answers to the next mutation, and the toasts shown.
const answer = vi.hoisted(() => ({ data: null as Record<string, unknown> | null }))
const shown = vi.hoisted(() => [] as string[])

vi.mock('@/graphql/client', () => ({
  getClient: () => ({ mutation: () => ({ toPromise: async () => ({ data: answer.data }) }) }),
  authFetch: () => fetch,
}))
vi.mock('element-plus', () => ({ ElMessage: (o: { message: string }) => shown.push(o.message) }))

const { acceptTicket, closeTicket, rejectTicket, setSkills } = await import('@/api/repairs')

/** A refusal on `id`; a code the locale does not know, so the toast is the server's text. */
const refusal = (payload: string, message: string) => ({ [payload]: { errors: [{ field: 'id', message, code: 'TEST_REFUSED' }] } })

beforeEach(() => {
  shown.length = 0
})

describe('repairs mutations', () => {
  it('show refusals on fields the screen has no input for as a toast', async () => {
    const cases = [
      { payload: 'ticketAccept', run: () => acceptTicket('T1') },
      { payload: 'ticketClose', run: () => closeTicket('T1', 'done') },
      { payload: 'technicianSkillsSet', run: () => setSkills('S1', ['K1']) },
      { payload: 'ticketReject', run: () => rejectTicket('T1', 'duplicate') },
    ]
    for (const [i, c] of cases.entries()) {
      answer.data = refusal(c.payload, `refused ${i}`)
      const result = await c.run()
      expect(result).toEqual({ ok: false, fields: {}, codes: ['TEST_REFUSED'] })
      expect(shown).toEqual([`refused ${i}`])
      shown.length = 0
    }
  })

  it('keeps an error on the reason field for the reason dialog', async () => {
    answer.data = { ticketReject: { errors: [{ field: 'reason', message: 'too long', code: 'TEST_TOO_LONG' }] } }
    const result = await rejectTicket('T1', 'x')
    expect(result).toEqual({ ok: false, fields: { reason: 'too long' }, codes: ['TEST_TOO_LONG'] })
    expect(shown).toEqual([])
  })
})
