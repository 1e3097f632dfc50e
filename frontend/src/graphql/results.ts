/** What both apps' request layers hand their screens, and the one way they fold repeated failure toasts. */

export type FieldErrors = Record<string, string>
export type MutationResult<P> = { ok: true; payload: P } | { ok: false; fields: FieldErrors; codes: string[] }

export interface MutateOptions {
  /**
   * Form fields the calling screen shows a message on. Errors on any other field (or none) go to the toast, so a
   * caller that names none (a delete button, a menu action) can never drop a refusal such as IN_USE on `id`.
   */
  formFields?: readonly string[]
  /** Locale keys that say a code better for this action than `errors.<CODE>` (IN_USE: "delete its units first"). */
  codeKeys?: Readonly<Record<string, string>>
}

/** `show`, except that the same text again within 1.5 s is dropped: several requests failing together (a dropped
 * network) show one message, not a stack. */
export function foldedToast(show: (text: string) => void): (text: string) => void {
  let last = { text: '', at: 0 }
  return (text: string) => {
    const now = Date.now()
    if (text === last.text && now - last.at < 1500) return
    last = { text, at: now }
    show(text)
  }
}
