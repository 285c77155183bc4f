/**
 * Waits until `condition` holds, checking every few milliseconds, and gives up after a bound. For
 * work that crosses a thread or a process (the SQLite writer thread, say), where a number of
 * event-loop turns says nothing about how far the other side has come.
 */
export async function until(condition: () => boolean, what: string, attempts = 2_000): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting until ${what}`);
}
