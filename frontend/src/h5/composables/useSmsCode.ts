/** Asking for an SMS code from a form (sign-in, forgotten password, new phone): one flow for every screen. */
import { watch, type Ref } from 'vue'
import { showSuccessToast } from 'vant'
import { useCountdown } from '@/composables/useCountdown'
import type { FieldErrors } from '@/h5/graphql/request'
import { t } from '@/h5/locales'

/** Seconds before another code may be asked for (the server sends one a minute per number). */
export const SMS_WAIT = 60

type Sent = { ok: true } | { ok: false; fields: FieldErrors; codes: string[] }

/**
 * `sendCode()` checks the number (`check` sets the field errors), sends, toasts, and starts the wait; a refusal goes to
 * its field, and RATE_LIMITED waits too. The wait is per number: typing another one ends it.
 */
export function useSmsCode(phone: () => string, errors: Ref<FieldErrors>, check: () => boolean,
  send: (phone: string) => Promise<Sent>) {
  const countdown = useCountdown()
  watch(phone, () => {
    countdown.stop()
    countdown.left.value = 0
  })

  async function sendCode(): Promise<void> {
    errors.value = {}
    if (!check()) return
    const result = await send(phone().trim())
    if (result.ok) {
      countdown.start(SMS_WAIT)
      showSuccessToast(t('auth.codeSent'))
    } else {
      errors.value = result.fields
      if (result.codes.includes('RATE_LIMITED')) countdown.start(SMS_WAIT)
    }
  }

  return { countdown, sendCode }
}
