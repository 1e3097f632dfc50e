/** A seconds countdown (the SMS resend wait); stops itself and on unmount. */
import { onBeforeUnmount, ref } from 'vue'

export function useCountdown() {
  const left = ref(0)
  let timer: ReturnType<typeof setInterval> | null = null
  function stop(): void {
    if (timer) clearInterval(timer)
    timer = null
  }
  function start(seconds: number): void {
    stop()
    left.value = seconds
    timer = setInterval(() => {
      left.value -= 1
      if (left.value <= 0) stop()
    }, 1000)
  }
  onBeforeUnmount(stop)
  return { left, start, stop }
}
