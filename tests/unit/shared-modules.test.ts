import { SHARED_MODULES } from '../../workflows/shared-modules';

/**
 * The worker shares workflows/shared-modules.ts between all workflows and deep-freezes it first (the SDK's
 * reusable V8 context). Here the same freeze (the SDK's algorithm: every own property, getters read, then
 * Object.freeze) is applied to the same modules, and then every zod schema they hold parses good and bad input:
 * a lazy write into frozen state — as zod does for its locale, memoizer and cached values — throws a TypeError
 * instead of a validation result.
 */
function deepFreeze(object: unknown, visited = new WeakSet<object>()): void {
  if (object == null || (typeof object !== 'object' && typeof object !== 'function') || visited.has(object)) return;
  visited.add(object);
  if (Object.isFrozen(object)) return;
  if (typeof object === 'object') {
    for (const name of [...Object.getOwnPropertyNames(object), ...Object.getOwnPropertySymbols(object)]) {
      const value = (object as Record<string | symbol, unknown>)[name];
      try {
        deepFreeze(value, visited);
      } catch {
        // as in the SDK: some objects (typed arrays) cannot be frozen
      }
    }
  }
  Object.freeze(object);
}

interface Parser {
  safeParse: (v: unknown) => { success: boolean; error?: { issues: unknown[] } };
  _zod: unknown;
}
function schemasIn(root: unknown): Parser[] {
  const found: Parser[] = [];
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 12 || v == null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if ('_zod' in v && typeof (v as Parser).safeParse === 'function') {
      found.push(v as Parser);
      return;
    }
    for (const key of Object.keys(v)) walk((v as Record<string, unknown>)[key], depth + 1);
  };
  walk(root, 0);
  return found;
}

describe('modules shared between workflows (preloadModules)', () => {
  const [, ...domain] = SHARED_MODULES;
  const schemas = schemasIn(domain);

  it('holds the domain tables and their schemas', () => {
    // Steps, rules, duties, releases, supervision: well over a hundred schemas.
    expect(schemas.length).toBeGreaterThan(20);
  });

  it('still validates once frozen the way the worker freezes them', () => {
    deepFreeze(SHARED_MODULES);
    const samples: unknown[] = [
      undefined,
      null,
      {},
      '',
      'x',
      '2027-01-01',
      '03-31',
      0,
      -1,
      [],
      { title: '', date: 'not-a-date' },
      { date: '2027-01-01', places: ['某地'], members: { eeb: ['张三'], psb: ['李四'] } },
    ];
    let parsed = 0;
    for (const schema of schemas) {
      // Every method a workflow may call (parse, optional, ...), as the domain code reads them.
      for (
        let proto = Object.getPrototypeOf(schema) as object | null;
        proto && proto !== Object.prototype;
        proto = Object.getPrototypeOf(proto) as object | null
      ) {
        for (const key of Reflect.ownKeys(proto)) expect(() => Reflect.get(schema, key)).not.toThrow();
      }
      expect(() => (schema as unknown as { parse: (v: unknown) => unknown }).parse(undefined)).not.toThrow(TypeError);
      for (const input of samples) {
        const r = schema.safeParse(input);
        expect(typeof r.success).toBe('boolean');
        if (!r.success) expect(r.error!.issues.length).toBeGreaterThan(0);
        parsed++;
      }
    }
    expect(parsed).toBe(schemas.length * samples.length);
  });
});
