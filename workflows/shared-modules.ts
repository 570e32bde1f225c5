/**
 * Modules the worker evaluates once and shares (frozen) between all workflows of its V8 context, instead of once per
 * cached workflow: the bundler's `preloadModules` (infra/workflow-bundle.ts). With the reusable context every workflow
 * otherwise evaluates its own copy of zod and of the domain tables with their schemas: about 1.8 MiB of heap per
 * cached workflow, against about 0.1 MiB with these shared (heap of idle workflows over the whole bundle, 2026-11-29).
 *
 * Only pure modules belong here: no @temporalio/workflow (its modules hold the running workflow's state) and nothing
 * that writes to its own exported objects after start-up, since the SDK deep-freezes everything evaluated here.
 * tests/unit/shared-modules.test.ts freezes them the same way and runs every schema and table through its paces.
 */
import { z } from 'zod';
import * as zodCore from 'zod/v4/core';
import * as caseDomain from '../domain/case';
import * as deadlines from '../domain/deadlines';
import * as duties from '../domain/duties';
import * as dutyInputs from '../domain/duty-inputs';
import * as information from '../domain/information';
import * as releases from '../domain/releases';
import * as supervision from '../domain/supervision';
import * as briefingMetrics from '../domain/briefing-metrics';

// zod writes some module state lazily, on the first schema built or parsed; once frozen that write would throw
// ("Cannot add property localeError, object is not extensible"). Settle it before the freeze.
if (!zodCore.globalConfig.localeError) z.config(z.locales.en());
if (!zodCore.globalConfig.memoizer) zodCore.config({ memoizer: zodCore.memoizer() });
void zodCore.util.allowsEval.value;

/** Referenced so the bundler keeps every module (zod is marked side-effect free and would otherwise be dropped). */
export const SHARED_MODULES = [
  z,
  caseDomain,
  deadlines,
  duties,
  dutyInputs,
  information,
  releases,
  supervision,
  briefingMetrics,
] as const;

/**
 * zod completes a schema lazily: its memoizer replaces the parse function on the first parse (and latches whether it
 * is recursive on the second), and every method is installed on the schema at its first read. On a frozen schema
 * either write throws. So every schema reachable from the shared modules, nested ones included, has each member
 * read and parses twice here, before the freeze.
 */
/**
 * zod's string checks reset `pattern.lastIndex` before each test, which a frozen RegExp refuses. A pattern held by a
 * shared schema is therefore replaced, before the freeze, by a proxy that the freeze cannot take (its
 * preventExtensions answers false; the SDK's freeze skips what it cannot freeze) and that forwards to the RegExp.
 */
const proxied = new WeakSet<object>();
function unfreezable(re: RegExp): RegExp {
  const proxy = new Proxy(re, {
    preventExtensions: () => false,
    get: (target, key) => {
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
    set: (target, key, v) => Reflect.set(target, key, v, target),
  });
  proxied.add(proxy);
  return proxy;
}
function keepRegexesWritable(holder: unknown): void {
  if (holder === null || typeof holder !== 'object') return;
  for (const key of Reflect.ownKeys(holder)) {
    const desc = Object.getOwnPropertyDescriptor(holder, key);
    if (desc && desc.value instanceof RegExp && !proxied.has(desc.value) && desc.writable) {
      (holder as Record<string | symbol, unknown>)[key] = unfreezable(desc.value);
    }
  }
}

function memberKeys(obj: object): Set<string | symbol> {
  const keys = new Set<string | symbol>();
  for (
    let proto = Object.getPrototypeOf(obj) as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const key of Reflect.ownKeys(proto)) if (key !== 'constructor') keys.add(key);
  }
  return keys;
}

function settleSchemas(modules: readonly unknown[]): number {
  const seen = new WeakSet<object>();
  let settled = 0;
  const walk = (value: unknown, depth: number): void => {
    if (depth > 40 || value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const zod = (value as { _zod?: { def?: unknown; bag?: unknown } })._zod;
    if (zod) for (const holder of [zod, zod.def, zod.bag]) keepRegexesWritable(holder);
    if (zod && typeof (value as { safeParse?: unknown }).safeParse === 'function') {
      const schema = value as { safeParse: (v: unknown) => unknown };
      // Methods (parse, optional, describe, ...) are prototype getters that install a bound copy on the schema at first
      // read: read them all now.
      for (const key of memberKeys(schema)) {
        try {
          Reflect.get(schema, key);
        } catch {
          // a getter that needs more than the schema (none known) is simply left as it is
        }
      }
      for (const input of [undefined, {}]) {
        try {
          schema.safeParse(input);
          schema.safeParse(input);
        } catch {
          // a schema that throws on a probe (a refinement expecting shape) has still settled its parse function
        }
      }
      settled++;
      walk(zod.def, depth + 1);
    }
    // Module namespaces export through getters (webpack's and CommonJS interop alike): read them, as the freeze does.
    for (const key of Reflect.ownKeys(value)) {
      let child: unknown;
      try {
        child = Reflect.get(value, key);
      } catch {
        continue;
      }
      walk(child, depth + 1);
    }
  };
  walk(modules.slice(1), 0);
  return settled;
}
export const SETTLED_SCHEMAS = settleSchemas(SHARED_MODULES);
