import { condition } from '@temporalio/workflow';
import type { Lock } from './lock';

/** Sleeps until `atMs` unless `wake()` turns true first; true if woken (false at once when `atMs` has passed). */
export async function sleepUntil(atMs: number, wake: () => boolean): Promise<boolean> {
  const wait = atMs - Date.now();
  if (wait <= 0) return false;
  return condition(wake, wait);
}

/** A rung as the ladder sees it: the instant it fires. Callers add what `fire` needs. */
export interface Rung {
  atMs: number;
}

export interface LadderSpec<R extends Rung> {
  /** The earliest rung still to fire, computed from the caller's clocks; undefined when none is pending. */
  next: () => R | undefined;
  /**
   * Fires a rung whose instant has come, inside the lock. It checks that the rung is still current (an update may
   * have changed the clocks while the ladder waited for the lock) and leaves it out of the next `next()`: marks it
   * fired, or changes the clocks.
   */
  fire: (rung: R) => Promise<void>;
  /** True once the ladder is over: the run returns (checked before each rung; an update that ends it calls wake()). */
  done: () => boolean;
  /** Serialises the rungs with the workflow's updates. */
  lock: Lock;
  /** Return when no rung is pending, instead of waiting to be woken (a period whose every timer has fired). */
  endWhenIdle?: boolean;
  /**
   * Work between rungs, before the next is computed (re-timing after a calendar change, continue-as-new). True
   * when it did some: the ladder looks at `done()` again.
   */
  between?: () => Promise<boolean>;
}

/**
 * The escalation ladder: sleeps until the next rung's instant, or until woken (an update changed, closed or re-timed
 * a clock), and fires it under the lock; again until done. The one timer loop of every workflow that escalates.
 */
export class Ladder<R extends Rung> {
  private woken = false;

  constructor(private readonly spec: LadderSpec<R>) {}

  /** Makes the ladder compute its next rung again (call it after any change to the clocks). */
  wake(): void {
    this.woken = true;
  }

  async run(): Promise<void> {
    const { spec } = this;
    const woken = () => this.woken;
    for (;;) {
      if (spec.done()) return;
      if (spec.between && (await spec.between())) continue;
      const rung = spec.next();
      this.woken = false;
      if (!rung) {
        if (spec.endWhenIdle) return;
        await condition(woken);
        continue;
      }
      if (await sleepUntil(rung.atMs, woken)) continue;
      await spec.lock.run(() => spec.fire(rung));
    }
  }
}
