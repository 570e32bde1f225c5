import {
  computeLadder,
  computePeriod,
  createWorkingCalendar,
  effectivePolicyRule,
  parseDeadlineOverrides,
  POLICY_RULES,
  RULE_IDS,
} from '../../domain/deadlines';
import { publicationBlock, releaseContentSchema, roundOutcome } from '../../domain/releases';
import { buildPublicStatistics, suppressGroup } from '../../domain/releases/public-stats';

describe('joint releases: the domain (seed 五(三) 联合发布)', () => {
  it('release.approval is a policy rule of 5 working days, outside the statutory table, with the §3 ladder', () => {
    expect(RULE_IDS as readonly string[]).not.toContain('release.approval');
    const rule = POLICY_RULES['release.approval'];
    expect(rule).toMatchObject({
      limit: 5,
      unit: 'workdays',
      escalation: { warning: { unit: 'workdays', amount: 1 }, supervision: null, escalationWorkdays: 3 },
    });
    expect(rule.policyNoteZh).toContain('政策');
    // Submitted Friday 2026-09-25 10:00: 5 working days skip the weekend and the National Day holiday (10-01..10-07;
    // Saturday 10-10 is a make-up working day): 09-28, 09-29, 09-30, 10-08, 10-09 → due 2026-10-09.
    const calendar = createWorkingCalendar([]);
    const startMs = Date.parse('2026-09-25T10:00:00+08:00');
    const period = computePeriod({ unit: rule.unit, limit: rule.limit, startMs, custody: false, calendar });
    expect(period.dueDate).toBe('2026-10-09');
    const ladder = computeLadder(rule.escalation, { ...period, exactInstant: false }, calendar);
    expect(new Date(ladder.warningAtMs!).toISOString()).toBe('2026-10-08T01:00:00.000Z'); // 09:00 of 10-08, the working day before
    expect(new Date(ladder.overdueAtMs).toISOString()).toBe('2026-10-09T16:00:00.000Z'); // 00:00 of 10-10
    expect(new Date(ladder.escalationAtMs!).toISOString()).toBe('2026-10-13T15:59:59.000Z'); // end of the 3rd working day after (10-10 make-up Saturday, 10-12, 10-13)
  });

  it('can be configured through DEADLINE_POLICY_OVERRIDES (policy, not statute), never with supervision', () => {
    expect(effectivePolicyRule('release.approval', { 'release.approval': { limit: 3 } })).toMatchObject({
      limit: 3,
      unit: 'workdays',
      overridden: true,
    });
    expect(effectivePolicyRule('release.approval', {})).toBe(POLICY_RULES['release.approval']);
    expect(() => parseDeadlineOverrides({ 'release.approval': { supervision: 'notFiled' } })).toThrow(/检察监督/);
  });

  it('only public content without confidential cases may be published', () => {
    expect(publicationBlock({ confidentiality: 'public' }, [])).toBeNull();
    expect(publicationBlock({ confidentiality: 'confidential' }, [])).toContain('保密内容不得向社会公开发布');
    expect(publicationBlock({ confidentiality: 'public' }, ['联动-2026-000003'])).toContain('联动-2026-000003');
    expect(publicationBlock({ confidentiality: 'internal' }, [])).toContain('须标明“公开”');
  });

  it('a round is approved only when all three approve; one rejection ends it, one request for changes closes it', () => {
    expect(roundOutcome({ eeb: 'approved', psb: 'approved' })).toBe('open');
    expect(roundOutcome({ eeb: 'approved', psb: 'approved', spp: 'approved' })).toBe('approved');
    expect(roundOutcome({ eeb: 'approved', psb: 'changesRequested', spp: 'approved' })).toBe('changesRequested');
    expect(roundOutcome({ eeb: 'changesRequested', psb: 'rejected' })).toBe('rejected');
  });

  it('a non-public mark needs its reason (seed 五(三): 应当予以特别说明)', () => {
    const r = releaseContentSchema.safeParse({
      title: '联合发布',
      body: '三部门联合开展专项执法行动情况通报。',
      kind: 'result',
      confidentiality: 'internal',
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toContain('特别说明');
  });

  it('public statistics: small cells suppressed (and one more where a single hidden cell could be subtracted); confidential cases only in the yearly total', () => {
    expect(suppressGroup({ a: 10, b: 2, c: 5, d: 0 }, true)).toEqual({ a: 10, b: null, c: null, d: 0 });
    expect(suppressGroup({ a: 10, b: 2, c: 1 }, true)).toEqual({ a: 10, b: null, c: null });
    expect(suppressGroup({ a: 10, b: 7 }, true)).toEqual({ a: 10, b: 7 });
    expect(suppressGroup({ a: 1, b: 0 }, false)).toEqual({ a: null, b: 0 });
    const s = buildPublicStatistics(
      [
        { month: '2026-10', track: 'criminal', stage: 'judged', confidential: false, n: 5 },
        { month: '2026-10', track: 'administrative', stage: 'penaltyDecided', confidential: false, n: 4 },
        { month: '2026-11', track: 'criminal', stage: 'investigation', confidential: false, n: 3 },
        { month: '2026-11', track: 'detention', stage: 'detentionAccepted', confidential: true, n: 2 },
      ],
      [{ month: '2026-11', jointOperations: 2, trainings: 1 }],
    );
    expect(s.years).toHaveLength(1);
    expect(s.years[0]).toMatchObject({
      period: '2026',
      total: 12,
      totalIncludingConfidential: 14,
      byTrack: { criminal: 8, administrative: 4, detention: 0 },
      jointOperations: 2,
      trainings: 1,
    });
    expect(s.years[0].byOutcome).toMatchObject({ judged: 5, penaltyDecided: 4, pending: 3 });
    expect(s.months.map((m) => [m.period, m.total, m.byTrack.detention])).toEqual([
      ['2026-11', 3, 0],
      ['2026-10', 9, 0],
    ]);
    expect(JSON.stringify(s)).not.toMatch(/confidential/);
  });
});
