/**
 * For every rule of statutory-deadlines.md §2 at least one example computed by hand from its article, using the
 * official 2026 arrangement (国办发明电〔2025〕7号):
 *   元旦 01-01..01-03 (01-04 Sun works) · 春节 02-15..02-23 (02-14 Sat, 02-28 Sat work) · 清明 04-04..04-06 ·
 *   劳动节 05-01..05-05 (05-09 Sat works) · 端午 06-19..06-21 · 中秋 09-25..09-27 ·
 *   国庆 10-01..10-07 (09-20 Sun, 10-10 Sat work).
 * Counting (§1): the start day is not counted; days roll forward past non-working days except custody periods;
 * workdays count make-up days; months keep the day number (month-end rules); hours are exact.
 */
import {
  RULE_IDS,
  type PeriodExtension,
  type Suspension,
  computeDeadline,
  createWorkingCalendar,
  parseInstant,
} from '../../../domain/deadlines';

const calendar = createWorkingCalendar();

interface Example {
  rule: string;
  from: string;
  custody?: boolean;
  extensions?: PeriodExtension[];
  suspensions?: Suspension[];
  dueDate: string;
  dueAt?: string;
  custodyOut?: boolean;
  provisional?: boolean;
}

const ms = (iso: string): number => parseInstant(iso);

const examples: Example[] = [
  // ---------------------------------------------------------------- A
  // eeb.task-force, 1 day (policy for "立即", Decree 310 Art 5 ¶1): found Fri 02-13 16:00; day 1 = 02-14, a Saturday
  // but a 调休 make-up working day → no roll-forward; due 02-14.
  { rule: 'eeb.task-force', from: '2026-02-13T16:00:00+08:00', dueDate: '2026-02-14' },
  // eeb.transfer-report, 7 days (policy): task force formed Tue 02-10; day 7 = 02-17 (春节); 02-18..02-23 holidays;
  // first working day 02-24 (Tue).
  { rule: 'eeb.transfer-report', from: '2026-02-10T09:00:00+08:00', dueDate: '2026-02-24' },
  // eeb.transfer-approval, 3 days (Decree 310 Art 5 ¶2 "自接到报告之日起3日内"): report received Wed 01-28; day 3 =
  // 01-31 (Sat, month end, ordinary weekend) → 02-01 Sun → 02-02 Mon.
  { rule: 'eeb.transfer-approval', from: '2026-01-28T11:00:00+08:00', dueDate: '2026-02-02' },
  // eeb.transfer-delivery, 24 hours (Art 5 ¶2 "在24小时内"): approved 09-30 15:00 → 10-01 15:00, a holiday, but
  // hours never roll forward.
  {
    rule: 'eeb.transfer-delivery',
    from: '2026-09-30T15:00:00+08:00',
    dueDate: '2026-10-01',
    dueAt: '2026-10-01T15:00:00+08:00',
  },
  // psb.receipt, 1 day (policy for "立即", 2017 Art 7): delivered Fri 05-08 17:30; day 1 = 05-09, the Saturday that
  // is a make-up working day → due 05-09.
  { rule: 'psb.receipt', from: '2026-05-08T17:30:00+08:00', dueDate: '2026-05-09' },
  // psb.materials-incomplete-notice, 24 h (2017 Art 8): accepted Sat 02-14 09:30 → Sun 02-15 09:30 (春节), exact.
  {
    rule: 'psb.materials-incomplete-notice',
    from: '2026-02-14T09:30:00+08:00',
    dueDate: '2026-02-15',
    dueAt: '2026-02-15T09:30:00+08:00',
  },
  // eeb.materials-supplement, 3 days (2017 Art 8 "在3日内补正"): notice received Wed 02-25; day 3 = 02-28, the make-up
  // working Saturday → due 02-28 (no roll-forward to March).
  { rule: 'eeb.materials-supplement', from: '2026-02-25T10:00:00+08:00', dueDate: '2026-02-28' },
  // psb.jurisdiction-forward, 24 h (Decree 310 Art 7): accepted 01-31 23:30 China time (= 15:30Z) → 02-01 23:30 China
  // time. The due date is the China date, not the UTC one.
  {
    rule: 'psb.jurisdiction-forward',
    from: '2026-01-31T15:30:00Z',
    dueDate: '2026-02-01',
    dueAt: '2026-02-01T23:30:00+08:00',
  },
  // psb.return-non-police, 24 h (2017 Art 9): accepted 10-07 08:00 (last holiday) → 10-08 08:00.
  {
    rule: 'psb.return-non-police',
    from: '2026-10-07T08:00:00+08:00',
    dueDate: '2026-10-08',
    dueAt: '2026-10-08T08:00:00+08:00',
  },
  // psb.filing-decision, 3 days (2017 Art 9): accepted Wed 09-30; day 3 = 10-03 (国庆); 10-04..10-07 holidays;
  // first working day Thu 10-08.
  { rule: 'psb.filing-decision', from: '2026-09-30T10:00:00+08:00', dueDate: '2026-10-08' },
  // psb.filing-decision extended to 7 days (线索需要查证): same start; day 7 = 10-07 (holiday) → 10-08.
  {
    rule: 'psb.filing-decision',
    from: '2026-09-30T10:00:00+08:00',
    extensions: [{ kind: 'setLimit', limit: 7, option: 'verify' }],
    dueDate: '2026-10-08',
  },
  // ... and then to 30 days (重大疑难复杂, county PSB head approves): 09-30 + 30 = 10-30 (Fri), working.
  {
    rule: 'psb.filing-decision',
    from: '2026-09-30T10:00:00+08:00',
    extensions: [
      { kind: 'setLimit', limit: 7, option: 'verify' },
      { kind: 'setLimit', limit: 30, option: 'major', approvedBy: '县公安局局长' },
    ],
    dueDate: '2026-10-30',
  },
  // psb.filing-decision.verify, 7 days: accepted Fri 09-18; day 7 = 09-25 (中秋, Fri); 09-26, 09-27 holidays →
  // Mon 09-28.
  { rule: 'psb.filing-decision.verify', from: '2026-09-18T10:00:00+08:00', dueDate: '2026-09-28' },
  // psb.filing-decision.major, 30 days: accepted Tue 09-01; 09-01 + 30 = 10-01 (国庆) → 10-08.
  { rule: 'psb.filing-decision.major', from: '2026-09-01T10:00:00+08:00', dueDate: '2026-10-08' },
  // psb.decision-notice, 3 days (2017 Art 9): decision Wed 04-01; day 3 = 04-04 (清明, Sat); 04-05, 04-06 holidays →
  // Tue 04-07.
  { rule: 'psb.decision-notice', from: '2026-04-01T16:00:00+08:00', dueDate: '2026-04-07' },
  // eeb.evidence-handover, 3 days (Decree 310 Art 12): 立案通知书 received Fri 08-28; day 3 = Mon 08-31 (month end),
  // a working day.
  { rule: 'eeb.evidence-handover', from: '2026-08-28T10:00:00+08:00', dueDate: '2026-08-31' },
  // eeb.reconsideration-request, 3 workdays (2017 Art 11): notice received Thu 02-12; working days after: Fri 02-13,
  // Sat 02-14 (make-up), then 02-15..02-23 are holidays, Tue 02-24 → due 02-24.
  { rule: 'eeb.reconsideration-request', from: '2026-02-12T10:00:00+08:00', dueDate: '2026-02-24' },
  // psb.reconsideration-decision, 3 workdays (2017 Art 11): request received Wed 09-30; 10-01..10-07 holidays;
  // Thu 10-08, Fri 10-09, Sat 10-10 (make-up) → due 10-10.
  { rule: 'psb.reconsideration-decision', from: '2026-09-30T10:00:00+08:00', dueDate: '2026-10-10' },
  // eeb.supervision-proposal, 3 days (Decree 310 Art 9 ¶2): decision received Tue 06-16; day 3 = 06-19 (端午, Fri);
  // 06-20, 06-21 holidays → Mon 06-22.
  { rule: 'eeb.supervision-proposal', from: '2026-06-16T10:00:00+08:00', dueDate: '2026-06-22' },
  // psb.non-filing-explanation, 7 days (SPP Rules Art 560): notice received Sat 01-31; day 7 = Sat 02-07 (ordinary
  // weekend) → Sun 02-08 → Mon 02-09.
  { rule: 'psb.non-filing-explanation', from: '2026-01-31T10:00:00+08:00', dueDate: '2026-02-09' },
  // psb.late-decision-explanation, 7 days (SPP Rules Art 562): request received Sat 02-07; day 7 = Sat 02-14, a
  // make-up working day → due 02-14.
  { rule: 'psb.late-decision-explanation', from: '2026-02-07T10:00:00+08:00', dueDate: '2026-02-14' },
  // spp.review-outcome-notice, 10 days (SPP Rules Art 561 ¶2): §4 example: 09-17; day 10 = 09-27 (中秋 holiday,
  // Sun) → 09-28.
  { rule: 'spp.review-outcome-notice', from: '2026-09-17T10:00:00+08:00', dueDate: '2026-09-28' },
  // psb.file-after-notice, 15 days (CPL Art 113; SPP Rules Art 563): 通知立案书 received Wed 09-16; day 15 = 10-01 →
  // 10-08.
  { rule: 'psb.file-after-notice', from: '2026-09-16T10:00:00+08:00', dueDate: '2026-10-08' },
  // psb.file-after-notice across the year end: received Sun 12-20; day 15 = 2027-01-04 (Mon). 2027 has no
  // calendar data: weekends only, Monday is working → 2027-01-04, provisional.
  { rule: 'psb.file-after-notice', from: '2026-12-20T10:00:00+08:00', dueDate: '2027-01-04', provisional: true },
  // spp.supervised-case-followup, 3 months (SPP Rules Art 564 ¶3): filed Sun 2025-11-30, the last day of November →
  // last day of February 2026 = 02-28, the make-up working Saturday → due 02-28.
  { rule: 'spp.supervised-case-followup', from: '2025-11-30T10:00:00+08:00', dueDate: '2026-02-28' },
  // eeb.transfer-after-procuratorate-opinion, 3 days (2017 Art 14): opinion received Wed 02-11; day 3 = Sat 02-14,
  // make-up working day → 02-14.
  { rule: 'eeb.transfer-after-procuratorate-opinion', from: '2026-02-11T10:00:00+08:00', dueDate: '2026-02-14' },
  // spp.non-prosecution-notice, 3 days (2017 Art 18): decision Thu 04-30; day 3 = 05-03 (劳动节); 05-04, 05-05
  // holidays → Wed 05-06.
  { rule: 'spp.non-prosecution-notice', from: '2026-04-30T10:00:00+08:00', dueDate: '2026-05-06' },
  // any.written-consultation-reply, 7 days (2017 Art 24): §4 example: 06-16 10:00 → 06-23 (Tue), plain count.
  { rule: 'any.written-consultation-reply', from: '2026-06-16T10:00:00+08:00', dueDate: '2026-06-23' },
  // any.written-consultation-reply in 2031 (no calendar data): 10-01 (Wed) + 7 = 10-08 (Wed), weekends only →
  // provisional. (The real 2031 National Day holiday would move it.)
  {
    rule: 'any.written-consultation-reply',
    from: '2031-10-01T10:00:00+08:00',
    dueDate: '2031-10-08',
    provisional: true,
  },
  // any.platform-entry, 7 days (2017 Art 34): §4 example: 04-30 09:00; May 1–5 holiday inside the period; day 7 =
  // 05-07 (Thu), working.
  { rule: 'any.platform-entry', from: '2026-04-30T09:00:00+08:00', dueDate: '2026-05-07' },

  // ---------------------------------------------------------------- B
  // psb.arrest-request, 3 days, custody (CPL Art 91 ¶1; Art 105: 在押期间不因节假日延长): detained Tue 09-29 20:00;
  // day 3 = 10-02 (国庆) → stays 10-02.
  { rule: 'psb.arrest-request', from: '2026-09-29T20:00:00+08:00', dueDate: '2026-10-02', custodyOut: true },
  // ... extended by 4 days (特殊情况, PSB Criminal Rules Art 129): 3 + 4 = 7 days → 10-06, custody, stays.
  {
    rule: 'psb.arrest-request',
    from: '2026-09-29T20:00:00+08:00',
    extensions: [{ kind: 'add', amount: 4, unit: 'days', option: 'special' }],
    dueDate: '2026-10-06',
    custodyOut: true,
  },
  // ... extended to 30 days (流窜/多次/结伙): 09-29 + 30 = 10-29 (Thu).
  {
    rule: 'psb.arrest-request',
    from: '2026-09-29T20:00:00+08:00',
    extensions: [{ kind: 'setLimit', limit: 30, option: 'gang' }],
    dueDate: '2026-10-29',
    custodyOut: true,
  },
  // spp.arrest-decision, 7 days, custody (CPL Art 91 ¶3): request received Tue 02-10; day 7 = 02-17 (春节) → stays.
  { rule: 'spp.arrest-decision', from: '2026-02-10T10:00:00+08:00', dueDate: '2026-02-17', custodyOut: true },
  // spp.arrest-decision.not-detained, 15 days (SPP Rules Art 282): received Sat 01-31; day 15 = 02-15 (春节) →
  // first working day 02-24.
  {
    rule: 'spp.arrest-decision.not-detained',
    from: '2026-01-31T10:00:00+08:00',
    dueDate: '2026-02-24',
    custodyOut: false,
  },
  // ... 重大、复杂: 20 days from Wed 04-15 → 05-05 (劳动节) → Wed 05-06.
  {
    rule: 'spp.arrest-decision.not-detained',
    from: '2026-04-15T10:00:00+08:00',
    extensions: [{ kind: 'setLimit', limit: 20, option: 'majorComplex' }],
    dueDate: '2026-05-06',
  },
  // psb.investigation-custody, 2 months, custody (CPL Art 156): arrested Sat 08-01 → 10-01 (国庆), custody: stays.
  { rule: 'psb.investigation-custody', from: '2026-08-01T10:00:00+08:00', dueDate: '2026-10-01', custodyOut: true },
  // ... arrested Wed 2025-12-31, the last day of December → last day of February 2026 = 02-28.
  { rule: 'psb.investigation-custody', from: '2025-12-31T10:00:00+08:00', dueDate: '2026-02-28', custodyOut: true },
  // ... arrested 08-01, extended +1 month (上一级检察院批准): 3 months → 11-01 (Sun), custody: stays.
  {
    rule: 'psb.investigation-custody',
    from: '2026-08-01T10:00:00+08:00',
    extensions: [{ kind: 'add', amount: 1, unit: 'months', option: 'complex' }],
    dueDate: '2026-11-01',
  },
  // ... +1, +2, +2 months: 7 months from 2026-01-31 (month end) → last day of August = 08-31.
  {
    rule: 'psb.investigation-custody',
    from: '2026-01-31T10:00:00+08:00',
    extensions: [
      { kind: 'add', amount: 1, unit: 'months', option: 'complex' },
      { kind: 'add', amount: 2, unit: 'months', option: 'provincial' },
      { kind: 'add', amount: 2, unit: 'months', option: 'tenYears' },
    ],
    dueDate: '2026-08-31',
  },
  // spp.prosecution-review, 1 month (CPL Art 172), custody depends on the case. Received Sat 01-31 (month end) →
  // 02-28 (last day; make-up working Saturday) either way.
  { rule: 'spp.prosecution-review', from: '2026-01-31T10:00:00+08:00', dueDate: '2026-02-28', custodyOut: false },
  {
    rule: 'spp.prosecution-review',
    from: '2026-01-31T10:00:00+08:00',
    custody: true,
    dueDate: '2026-02-28',
    custodyOut: true,
  },
  // ... received Tue 09-01 → 10-01 (国庆): not held → 10-08; held → stays 10-01.
  { rule: 'spp.prosecution-review', from: '2026-09-01T10:00:00+08:00', dueDate: '2026-10-08', custodyOut: false },
  {
    rule: 'spp.prosecution-review',
    from: '2026-09-01T10:00:00+08:00',
    custody: true,
    dueDate: '2026-10-01',
    custodyOut: true,
  },
  // ... +15 days (重大、复杂; half a month): received Mon 08-17 → 09-17 → +15 = 10-02 (国庆): not held → 10-08.
  {
    rule: 'spp.prosecution-review',
    from: '2026-08-17T10:00:00+08:00',
    extensions: [{ kind: 'add', amount: 15, unit: 'days', option: 'majorComplex' }],
    dueDate: '2026-10-08',
  },
  // ... the same extension written as half a month gives the same result.
  {
    rule: 'spp.prosecution-review',
    from: '2026-08-17T10:00:00+08:00',
    extensions: [{ kind: 'add', amount: 0.5, unit: 'months' }],
    dueDate: '2026-10-08',
  },
  // psb.supplementary-investigation, 1 month (CPL Art 175 ¶3): returned Sat 01-17 → 02-17 (春节): not held → 02-24;
  // held → 02-17.
  {
    rule: 'psb.supplementary-investigation',
    from: '2026-01-17T10:00:00+08:00',
    dueDate: '2026-02-24',
    custodyOut: false,
  },
  {
    rule: 'psb.supplementary-investigation',
    from: '2026-01-17T10:00:00+08:00',
    custody: true,
    dueDate: '2026-02-17',
    custodyOut: true,
  },

  // ---------------------------------------------------------------- C (2014 Measures Art 19: working days)
  // eeb.detention-transfer, 3 workdays (Art 12): decided Fri 09-18; Sat 09-19 off; Sun 09-20 make-up working (1),
  // Mon 09-21 (2), Tue 09-22 (3) → 09-22.
  { rule: 'eeb.detention-transfer', from: '2026-09-18T10:00:00+08:00', dueDate: '2026-09-22' },
  // psb.detention-evidence-request, 3 workdays (Art 13): accepted Wed 12-30; Thu 12-31 (1); 2027-01-01 Fri (2,
  // no 2027 data: weekends only), Mon 01-04 (3) → 2027-01-04, provisional.
  {
    rule: 'psb.detention-evidence-request',
    from: '2026-12-30T10:00:00+08:00',
    dueDate: '2027-01-04',
    provisional: true,
  },
  // psb.detention-decision-copy, 3 workdays (Art 14): decided Fri 02-27; Sat 02-28 make-up (1), Mon 03-02 (2),
  // Tue 03-03 (3) → 03-03.
  { rule: 'psb.detention-decision-copy', from: '2026-02-27T10:00:00+08:00', dueDate: '2026-03-03' },
  // psb.detention-refusal, 5 workdays (Art 15): §4 example: 04-28 → 04-29, 04-30, 05-06, 05-07, 05-08.
  { rule: 'psb.detention-refusal', from: '2026-04-28T10:00:00+08:00', dueDate: '2026-05-08' },
  // psb.public-security-case-limit, 30 days (PSB Admin Rules Art 165): accepted Sat 09-05; day 30 = 10-05 (国庆) →
  // 10-08.
  { rule: 'psb.public-security-case-limit', from: '2026-09-05T10:00:00+08:00', dueDate: '2026-10-08' },
  // ... +30 days (上一级公安机关批准): day 60 = 11-04 (Wed).
  {
    rule: 'psb.public-security-case-limit',
    from: '2026-09-05T10:00:00+08:00',
    extensions: [{ kind: 'add', amount: 30, unit: 'days', option: 'majorComplex' }],
    dueDate: '2026-11-04',
  },
  // ... appraisal 09-10 10:00 → 09-17 16:00 does not count (Art 165 ¶2): 7 days paused (date difference);
  // 10-05 + 7 = 10-12 (Mon), working.
  {
    rule: 'psb.public-security-case-limit',
    from: '2026-09-05T10:00:00+08:00',
    suspensions: [{ fromMs: ms('2026-09-10T10:00:00+08:00'), toMs: ms('2026-09-17T16:00:00+08:00'), reason: '鉴定' }],
    dueDate: '2026-10-12',
  },
];

describe('every rule has a hand-computed example', () => {
  it('covers every rule id of the spec', () => {
    const covered = new Set(examples.map((e) => e.rule));
    expect(RULE_IDS.filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(
    examples.map(
      (e) =>
        [
          `${e.rule} from ${e.from}${e.custody ? ' (held)' : ''}${e.extensions ? ' extended' : ''}${e.suspensions ? ' suspended' : ''} → ${e.dueDate}`,
          e,
        ] as const,
    ),
  )('%s', (_name, e) => {
    const { preview, period } = computeDeadline({
      rule: e.rule,
      from: e.from,
      custody: e.custody,
      calendar,
      extensions: e.extensions,
      suspensions: e.suspensions,
    });
    expect(period.dueDate).toBe(e.dueDate);
    expect(period.provisional).toBe(e.provisional ?? false);
    expect(period.dueAt).toBe(e.dueAt ?? `${e.dueDate}T23:59:59+08:00`);
    if (e.custodyOut !== undefined) expect(preview.custody).toBe(e.custodyOut);
    if (!e.extensions && !e.suspensions) expect(preview.dueDate).toBe(e.dueDate);
  });
});
