import {
  RECURRING_DUTIES,
  RULES,
  RULE_IDS,
  UnknownRuleError,
  effectiveRecurringDuties,
  effectiveRules,
  getRule,
  parseDeadlineOverrides,
  resolveCustody,
  type DeadlineRule,
} from '../../../domain/deadlines';

/** The ids of statutory-deadlines.md §2 A–C, as written in the spec. */
const SPEC_IDS = [
  'eeb.task-force',
  'eeb.transfer-report',
  'eeb.transfer-approval',
  'eeb.transfer-delivery',
  'psb.receipt',
  'psb.materials-incomplete-notice',
  'eeb.materials-supplement',
  'psb.jurisdiction-forward',
  'psb.return-non-police',
  'psb.filing-decision',
  'psb.filing-decision.verify',
  'psb.filing-decision.major',
  'psb.decision-notice',
  'eeb.evidence-handover',
  'eeb.reconsideration-request',
  'psb.reconsideration-decision',
  'eeb.supervision-proposal',
  'psb.non-filing-explanation',
  'psb.late-decision-explanation',
  'spp.review-outcome-notice',
  'psb.file-after-notice',
  'spp.supervised-case-followup',
  'eeb.transfer-after-procuratorate-opinion',
  'spp.non-prosecution-notice',
  'any.written-consultation-reply',
  'any.platform-entry',
  'psb.arrest-request',
  'spp.arrest-decision',
  'spp.arrest-decision.not-detained',
  'psb.investigation-custody',
  'spp.prosecution-review',
  'psb.supplementary-investigation',
  'eeb.detention-transfer',
  'psb.detention-evidence-request',
  'psb.detention-decision-copy',
  'psb.detention-refusal',
  'psb.public-security-case-limit',
];

/** id → [limit, unit, custody] from the spec tables. */
const SPEC_LIMITS: Record<string, [number, string, boolean | 'case']> = {
  'eeb.task-force': [1, 'days', false],
  'eeb.transfer-report': [7, 'days', false],
  'eeb.transfer-approval': [3, 'days', false],
  'eeb.transfer-delivery': [24, 'hours', false],
  'psb.receipt': [1, 'days', false],
  'psb.materials-incomplete-notice': [24, 'hours', false],
  'eeb.materials-supplement': [3, 'days', false],
  'psb.jurisdiction-forward': [24, 'hours', false],
  'psb.return-non-police': [24, 'hours', false],
  'psb.filing-decision': [3, 'days', false],
  'psb.filing-decision.verify': [7, 'days', false],
  'psb.filing-decision.major': [30, 'days', false],
  'psb.decision-notice': [3, 'days', false],
  'eeb.evidence-handover': [3, 'days', false],
  'eeb.reconsideration-request': [3, 'workdays', false],
  'psb.reconsideration-decision': [3, 'workdays', false],
  'eeb.supervision-proposal': [3, 'days', false],
  'psb.non-filing-explanation': [7, 'days', false],
  'psb.late-decision-explanation': [7, 'days', false],
  'spp.review-outcome-notice': [10, 'days', false],
  'psb.file-after-notice': [15, 'days', false],
  'spp.supervised-case-followup': [3, 'months', false],
  'eeb.transfer-after-procuratorate-opinion': [3, 'days', false],
  'spp.non-prosecution-notice': [3, 'days', false],
  'any.written-consultation-reply': [7, 'days', false],
  'any.platform-entry': [7, 'days', false],
  'psb.arrest-request': [3, 'days', true],
  'spp.arrest-decision': [7, 'days', true],
  'spp.arrest-decision.not-detained': [15, 'days', false],
  'psb.investigation-custody': [2, 'months', true],
  'spp.prosecution-review': [1, 'months', 'case'],
  'psb.supplementary-investigation': [1, 'months', 'case'],
  'eeb.detention-transfer': [3, 'workdays', false],
  'psb.detention-evidence-request': [3, 'workdays', false],
  'psb.detention-decision-copy': [3, 'workdays', false],
  'psb.detention-refusal': [5, 'workdays', false],
  'psb.public-security-case-limit': [30, 'days', false],
};

describe('rule table', () => {
  it('has exactly the spec ids', () => {
    expect([...RULE_IDS].sort()).toEqual([...SPEC_IDS].sort());
    expect(Object.keys(RULES).sort()).toEqual([...SPEC_IDS].sort());
  });

  it.each(SPEC_IDS)('%s: limit, unit, custody as in the spec; complete data', (id) => {
    const r: DeadlineRule = RULES[id as keyof typeof RULES];
    expect(r.id).toBe(id);
    expect([r.limit, r.unit, r.custody]).toEqual(SPEC_LIMITS[id]);
    expect(id.startsWith(`${r.agency}.`)).toBe(true);
    expect(r.labelZh).toMatch(/[\u4e00-\u9fa5]/);
    expect(r.basis).toMatch(/《.+》第.+条/);
    expect(r.startsAt.zh).toMatch(/[\u4e00-\u9fa5]/);
    expect(r.startsAt.en.length).toBeGreaterThan(3);
    for (const e of r.extensions) {
      expect(e.approvalZh).toMatch(/[\u4e00-\u9fa5]/);
      expect(e.basis).toMatch(/《.+》/);
    }
    expect(['workdays', 'hours']).toContain(r.escalation.warning.unit);
  });

  it('marks exactly the policy defaults ("立即" or no limit in law)', () => {
    expect(RULE_IDS.filter((id) => RULES[id].policy).sort()).toEqual([
      'eeb.task-force',
      'eeb.transfer-report',
      'psb.receipt',
    ]);
  });

  it('section assignments follow the spec tables', () => {
    expect(RULE_IDS.filter((id) => RULES[id].section === 'B')).toEqual([
      'psb.arrest-request',
      'spp.arrest-decision',
      'spp.arrest-decision.not-detained',
      'psb.investigation-custody',
      'spp.prosecution-review',
      'psb.supplementary-investigation',
    ]);
    expect(RULE_IDS.filter((id) => RULES[id].section === 'C').every((id) => RULES[id].unit !== 'hours')).toBe(true);
  });

  it('extensions allowed as in the law', () => {
    expect(RULES['psb.filing-decision'].extensions.map((e) => [e.kind, e.amount, e.ruleId])).toEqual([
      ['setLimit', 7, 'psb.filing-decision.verify'],
      ['setLimit', 30, 'psb.filing-decision.major'],
    ]);
    expect(RULES['psb.filing-decision'].extensions[1].approvalZh).toBe('县级以上公安机关负责人批准');
    expect(RULES['psb.arrest-request'].extensions.map((e) => [e.kind, e.minAmount, e.amount])).toEqual([
      ['add', 1, 4],
      ['setLimit', undefined, 30],
    ]);
    expect(RULES['psb.investigation-custody'].extensions.map((e) => [e.amount, e.unit, e.approvalZh])).toEqual([
      [1, 'months', '上一级人民检察院批准'],
      [2, 'months', '省、自治区、直辖市人民检察院批准或者决定'],
      [2, 'months', '省、自治区、直辖市人民检察院批准或者决定'],
    ]);
    expect(RULES['spp.prosecution-review'].extensions[0]).toMatchObject({ kind: 'add', amount: 15, unit: 'days' });
    expect(RULES['psb.public-security-case-limit'].extensions[0]).toMatchObject({
      amount: 30,
      approvalZh: '上一级公安机关批准',
    });
    expect(RULES['psb.supplementary-investigation'].maxRounds).toBe(2);
  });
});

describe('escalation ladder data (§3)', () => {
  it('warning: 1 working day for periods up to 7 days, 3 for longer, 6 h for 24 h rules', () => {
    for (const id of RULE_IDS) {
      const r = RULES[id];
      const expected =
        r.unit === 'hours'
          ? { unit: 'hours', amount: 6 }
          : { unit: 'workdays', amount: r.unit !== 'months' && r.limit <= 7 ? 1 : 3 };
      expect([id, r.escalation.warning]).toEqual([id, expected]);
    }
  });
  it('supervision types', () => {
    const by = (t: string | null) => RULE_IDS.filter((id) => RULES[id].escalation.supervision === t).sort();
    expect(by('notFiled')).toEqual([
      'psb.file-after-notice',
      'psb.filing-decision',
      'psb.filing-decision.major',
      'psb.filing-decision.verify',
    ]);
    expect(by('notInvestigated')).toEqual([
      'psb.investigation-custody',
      'psb.supplementary-investigation',
      'spp.supervised-case-followup',
    ]);
    // every eeb.* duty of section A (not the two optional rights) is a possible 有案不移
    expect(by('notTransferred')).toEqual(
      RULE_IDS.filter((id) => id.startsWith('eeb.') && RULES[id].section === 'A' && !RULES[id].optional).sort(),
    );
  });
  it('working-group escalation 3 working days after, except optional rights', () => {
    for (const id of RULE_IDS) {
      expect([id, RULES[id].escalation.escalationWorkdays]).toEqual([id, RULES[id].optional ? null : 3]);
    }
    expect(RULE_IDS.filter((id) => RULES[id].optional).sort()).toEqual([
      'eeb.reconsideration-request',
      'eeb.supervision-proposal',
      'psb.detention-evidence-request',
    ]);
  });
});

describe('lookup and custody', () => {
  it('getRule throws UnknownRuleError with a bilingual message', () => {
    expect(() => getRule('psb.nope')).toThrow(UnknownRuleError);
    expect(() => getRule('psb.nope')).toThrow(/未知的期限规则.*unknown deadline rule/);
    expect(() => getRule('toString')).toThrow(UnknownRuleError);
  });
  it("resolveCustody: true/false fixed, 'case' follows the case", () => {
    expect(resolveCustody(RULES['psb.arrest-request'])).toBe(true);
    expect(resolveCustody(RULES['psb.arrest-request'], false)).toBe(true);
    expect(resolveCustody(RULES['any.platform-entry'], true)).toBe(false);
    expect(resolveCustody(RULES['spp.prosecution-review'])).toBe(false);
    expect(resolveCustody(RULES['spp.prosecution-review'], true)).toBe(true);
  });
});

describe('configuration overrides', () => {
  it('changes policy defaults and recomputes the default warning', () => {
    const t = effectiveRules({ 'eeb.transfer-report': { limit: 10 }, 'eeb.task-force': { limit: 24, unit: 'hours' } });
    expect(t['eeb.transfer-report']).toMatchObject({
      limit: 10,
      overridden: true,
      escalation: { warning: { unit: 'workdays', amount: 3 } },
    });
    expect(t['eeb.task-force']).toMatchObject({
      limit: 24,
      unit: 'hours',
      escalation: { warning: { unit: 'hours', amount: 6 } },
    });
    expect(RULES['eeb.transfer-report'].limit).toBe(7); // the builtin table is untouched
    expect(t['psb.filing-decision']).toBe(RULES['psb.filing-decision']);
  });
  it('changes the ladder of any rule', () => {
    const t = effectiveRules({
      'psb.filing-decision': { warningWorkdays: 2, escalationWorkdays: 5 },
      'psb.receipt': { supervision: 'notFiled' },
      'eeb.transfer-delivery': { warningHours: 12 },
    });
    expect(t['psb.filing-decision'].escalation).toEqual({
      warning: { unit: 'workdays', amount: 2 },
      supervision: 'notFiled',
      escalationWorkdays: 5,
    });
    expect(t['psb.receipt'].escalation.supervision).toBe('notFiled');
    expect(t['eeb.transfer-delivery'].escalation.warning).toEqual({ unit: 'hours', amount: 12 });
  });
  it('refuses statutory limits, unknown ids and bad values', () => {
    expect(() => effectiveRules({ 'psb.filing-decision': { limit: 5 } })).toThrow(/法定期限/);
    expect(() => effectiveRules({ 'psb.nope': { limit: 5 } })).toThrow(/未知的期限规则/);
    expect(() => effectiveRules({ 'eeb.task-force': { limit: -1 } })).toThrow();
    expect(() => effectiveRules({ 'eeb.task-force': { limt: 2 } })).toThrow();
    expect(() => effectiveRules({ 'eeb.task-force': { warningHours: 2, warningWorkdays: 1 } })).toThrow(/只能/);
    expect(parseDeadlineOverrides(undefined)).toEqual({});
  });
  it('recurring duties: table and configurable cadence', () => {
    expect(Object.keys(RECURRING_DUTIES).sort()).toEqual([
      'info-briefing.periodic',
      'joint-enforcement.monthly',
      'joint-meeting.periodic',
      'spp.transfer-supervision-sweep',
      'training.annual',
    ]);
    expect(RECURRING_DUTIES['joint-meeting.periodic'].cadence).toBe('quarterly');
    const d = effectiveRecurringDuties({ 'joint-meeting.periodic': { cadence: 'monthly' } });
    expect(d['joint-meeting.periodic'].cadence).toBe('monthly');
    expect(() => effectiveRecurringDuties({ 'joint-enforcement.monthly': { cadence: 'annual' } })).toThrow(
      /不能通过配置修改/,
    );
    // rule and duty overrides live in one object
    expect(effectiveRules({ 'joint-meeting.periodic': { cadence: 'monthly' } })['eeb.task-force']).toBe(
      RULES['eeb.task-force'],
    );
  });
});
