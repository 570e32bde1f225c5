/**
 * Polls `fn` until it answers something truthy and returns that. An error counts as "not yet" (a server restarting,
 * a workflow not started yet): the last one is named when the time is up.
 */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`等待超时：${what}${last ? `（${(last as Error).message}）` : ''}`);
}
