/**
 * Waits while `busy()` holds, until `deadline` (epoch ms): woken early by anything in `wakers` (the send queue
 * wakes them whenever work moves), and at the latest every 50 ms, so a missed wake-up costs little.
 * @module
 */

/**
 * @example
 * await waitWhile(() => pending() > 0, Date.now() + 5000, wakers);
 */
export async function waitWhile(busy: () => boolean, deadline: number, wakers: Set<() => void>): Promise<void> {
  while (busy() && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.min(50, Math.max(1, deadline - Date.now())));
      wakers.add(wake);
    });
  }
}
