/**
 * Request coalescing for identical reads: requests whose key (the exact SQL and parameters of a read) is the same
 * share one execution — but only an execution that starts after they arrived. A request that comes while its read
 * is running waits for the next run, which starts when the running one ends and serves every request that came
 * in the meantime. So an answer never predates its request (a client that wrote and then reads sees its write), and
 * N identical concurrent requests cost at most two executions at a time instead of N (bench load: 200 clients
 * asking for the same case list and dashboard). Nothing is kept once a run has answered: this is not a cache.
 */
export class Coalescer<T> {
  private readonly running = new Map<string, Promise<T>>();
  private readonly waiting = new Map<string, Promise<T>>();
  /** Requests served and executions run, for the benchmark's report. */
  readonly stats = { requests: 0, runs: 0 };

  run(key: string, fn: () => Promise<T>): Promise<T> {
    this.stats.requests++;
    const waiting = this.waiting.get(key);
    if (waiting) return waiting;
    const current = this.running.get(key);
    if (!current) return this.start(key, fn);
    const next = current
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.waiting.delete(key);
        return this.start(key, fn);
      });
    this.waiting.set(key, next);
    return next;
  }

  private start(key: string, fn: () => Promise<T>): Promise<T> {
    this.stats.runs++;
    const p = fn().finally(() => {
      if (this.running.get(key) === p) this.running.delete(key);
    });
    this.running.set(key, p);
    return p;
  }
}

const byOwner = new WeakMap<object, Map<string, Coalescer<unknown>>>();

/** The coalescer of one kind of read on one database handle (two apps on two databases never share answers). */
export function coalescerFor<T>(db: object, name: string): Coalescer<T> {
  let m = byOwner.get(db);
  if (!m) byOwner.set(db, (m = new Map()));
  let c = m.get(name);
  if (!c) m.set(name, (c = new Coalescer<unknown>()));
  return c as Coalescer<T>;
}
