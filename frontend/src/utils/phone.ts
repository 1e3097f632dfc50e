/** Phone numbers as the console shows them. */

/** 13800001234 → 138****1234; an already masked or short value is left as it is. */
export function maskPhone(phone: string): string {
  return /^\d{11}$/.test(phone) ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : phone
}

/** The API masks phones for callers without the phone permission; mask here too unless the full number was asked for. */
export const phoneDisplay = (phone: string, reveal: boolean): string => (reveal ? phone : maskPhone(phone))
