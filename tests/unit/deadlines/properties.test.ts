import fc from 'fast-check';
import {
  RULE_IDS,
  chinaDayOfInstant,
  computeDeadline,
  computePeriod,
  createWorkingCalendar,
  dayNumberOf,
  dayParts,
  dayToYmd,
  formatChinaIso,
  parseInstant,
  type PeriodExtension,
  type Suspension,
  type Unit,
} from '../../../domain/deadlines';

const calendar = createWorkingCalendar();
const DAY = 86_400_000;
const instant = fc.integer({ min: Date.UTC(2003, 11, 1), max: Date.UTC(2032, 11, 31) });
const calendarUnit = fc.constantFrom<Unit>('days', 'months');
const limitFor = (unit: Unit) =>
  unit === 'months'
    ? fc.integer({ min: 1, max: 7 })
    : unit === 'hours'
      ? fc.integer({ min: 1, max: 72 })
      : fc.integer({ min: 1, max: 60 });
const periodSpec = fc
  .constantFrom<Unit>('hours', 'days', 'workdays', 'months')
  .chain((unit) => fc.record({ unit: fc.constant(unit), limit: limitFor(unit) }));

/** Extensions compatible with a unit (calendar units mix days and months). */
const extensionsFor = (unit: Unit): fc.Arbitrary<PeriodExtension[]> => {
  const units: Unit[] = unit === 'days' || unit === 'months' ? ['days', 'months'] : [unit];
  const one = fc.constantFrom(...units).chain((u) =>
    fc.oneof(
      limitFor(u).map((n): PeriodExtension => ({ kind: 'setLimit', limit: n, unit: u })),
      limitFor(u).map((n): PeriodExtension => ({ kind: 'add', amount: n, unit: u })),
    ),
  );
  return fc.array(one, { maxLength: 3 });
};

const suspensionsFrom = (startMs: number): fc.Arbitrary<Suspension[]> =>
  fc.array(
    fc.tuple(fc.integer({ min: -5 * DAY, max: 90 * DAY }), fc.integer({ min: 0, max: 20 * DAY })).map(([off, len]) => ({
      fromMs: startMs + off,
      toMs: startMs + off + len,
    })),
    { maxLength: 3 },
  );

describe('properties', () => {
  it('the due is never before the start (every rule, any start, custody either way)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RULE_IDS), instant, fc.boolean(), (rule, startMs, held) => {
        const d = computeDeadline({ rule, from: startMs, custody: held, calendar });
        return d.period.dueAtMs > startMs && d.period.dueDate >= dayToYmd(chinaDayOfInstant(startMs));
      }),
    );
  });

  it('the due is never before the start, with extensions and suspensions', () => {
    fc.assert(
      fc.property(
        periodSpec.chain((p) =>
          instant.chain((startMs) =>
            fc.record({
              p: fc.constant(p),
              ext: extensionsFor(p.unit),
              startMs: fc.constant(startMs),
              s: suspensionsFrom(startMs),
            }),
          ),
        ),
        fc.boolean(),
        ({ p, ext, startMs, s }, custody) => {
          const r = computePeriod({ ...p, startMs, custody, calendar, extensions: ext, suspensions: s });
          return r.dueAtMs > startMs;
        },
      ),
    );
  });

  it('custody is never later than non-custody', () => {
    fc.assert(
      fc.property(
        calendarUnit.chain((unit) => fc.record({ unit: fc.constant(unit), limit: limitFor(unit) })),
        instant,
        (p, startMs) => {
          const held = computePeriod({ ...p, startMs, custody: true, calendar });
          const free = computePeriod({ ...p, startMs, custody: false, calendar });
          return held.dueAtMs <= free.dueAtMs && free.dueAtMs - held.dueAtMs < 40 * DAY;
        },
      ),
    );
  });

  it('a non-custody day/month due date is a working day', () => {
    fc.assert(
      fc.property(
        calendarUnit.chain((unit) => fc.record({ unit: fc.constant(unit), limit: limitFor(unit) })),
        instant,
        (p, startMs) => {
          const r = computePeriod({ ...p, startMs, custody: false, calendar });
          return calendar.isWorkingDay(r.dueDate);
        },
      ),
    );
  });

  it('a workday count agrees with the calendar', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), instant, (n, startMs) => {
        const r = computePeriod({ unit: 'workdays', limit: n, startMs, custody: false, calendar });
        const startDay = chinaDayOfInstant(startMs);
        const dueDay = chinaDayOfInstant(r.dueAtMs);
        let count = 0;
        for (let d = startDay + 1; d <= dueDay; d++) if (calendar.isWorkingDay(dayToYmd(d))) count++;
        return count === n && calendar.isWorkingDay(r.dueDate);
      }),
    );
  });

  it('an extension never shortens (each prefix of approved extensions is monotonic)', () => {
    fc.assert(
      fc.property(
        periodSpec.chain((p) => fc.record({ p: fc.constant(p), ext: extensionsFor(p.unit), startMs: instant })),
        fc.boolean(),
        ({ p, ext, startMs }, custody) => {
          let previous = computePeriod({ ...p, startMs, custody, calendar }).dueAtMs;
          for (let i = 1; i <= ext.length; i++) {
            const next = computePeriod({ ...p, startMs, custody, calendar, extensions: ext.slice(0, i) }).dueAtMs;
            if (next < previous) return false;
            previous = next;
          }
          return true;
        },
      ),
    );
  });

  it('a suspension never shortens', () => {
    fc.assert(
      fc.property(
        periodSpec.chain((p) =>
          instant.chain((startMs) =>
            fc.record({ p: fc.constant(p), startMs: fc.constant(startMs), s: suspensionsFrom(startMs) }),
          ),
        ),
        fc.boolean(),
        ({ p, startMs, s }, custody) => {
          const plain = computePeriod({ ...p, startMs, custody, calendar });
          const paused = computePeriod({ ...p, startMs, custody, calendar, suspensions: s });
          return paused.dueAtMs >= plain.dueAtMs;
        },
      ),
    );
  });

  it('provisional exactly when a year without data was consulted', () => {
    fc.assert(
      fc.property(
        calendarUnit.chain((unit) => fc.record({ unit: fc.constant(unit), limit: limitFor(unit) })),
        instant,
        (p, startMs) => {
          const r = computePeriod({ ...p, startMs, custody: false, calendar });
          const year = Number(r.dueDate.slice(0, 4));
          // The due date itself is always consulted when not in custody.
          if (!calendar.hasOfficialData(year) && !r.provisional) return false;
          return (
            r.provisional === r.provisionalYears.length > 0 &&
            r.provisionalYears.every((y) => !calendar.hasOfficialData(y))
          );
        },
      ),
    );
  });

  it('China-time ISO strings round-trip', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
        (ms) => parseInstant(formatChinaIso(ms)) === ms,
      ),
    );
  });

  it('integer calendar arithmetic agrees with the platform Date (UTC) and round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: -600_000, max: 600_000 }), (n) => {
        const p = dayParts(n);
        const d = new Date(n * DAY);
        return (
          dayNumberOf(p.year, p.month, p.day) === n &&
          p.year === d.getUTCFullYear() &&
          p.month === d.getUTCMonth() + 1 &&
          p.day === d.getUTCDate()
        );
      }),
    );
  });
});
