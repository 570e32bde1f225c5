/**
 * The lifecycle's view of the rules (domain/case RULE_USE) agrees with the deadline engine's rule table
 * (domain/deadlines RULES): same ids, responsible agencies, options, custody and variants; and the clock timing
 * the workflow passes to the engine has the engine's shapes.
 */
import { CASE_RULE_IDS, clockTiming, CUSTODY_EXTENSIONS, EXTENSION_POLICY, RULE_USE } from '../../../domain/case';
import { RULES, type PeriodExtension, type Suspension } from '../../../domain/deadlines';
import { DAY, psbOfficer, sppOfficer, toAccepted, toInvestigation } from './helpers';

describe('agreement with the deadline engine', () => {
  it.each(CASE_RULE_IDS.map((id) => [id]))('%s', (id) => {
    const rule = RULES[id];
    const use = RULE_USE[id];
    expect(rule).toBeDefined();
    expect(use.agency).toBe(rule.agency);
    // Windows (2017 Art 8/9, 2014 Arts 13/15) are conditional limits; a right (optional) is one either way.
    if (use.kind === 'clock') expect(Boolean(use.optional)).toBe(Boolean(rule.optional));
    expect(Boolean(use.custody)).toBe(rule.custody !== false);
    expect(use.variantOf).toBe(rule.parent);
  });

  it('extension options exist in the engine', () => {
    for (const [ruleId, policy] of Object.entries(EXTENSION_POLICY)) {
      const options = RULES[ruleId as keyof typeof RULES].extensions.map((o) => o.id);
      if (policy!.option === 'policy') continue; // the report limit is a policy default with no option in law
      expect(options).toContain(policy!.option);
      if (policy!.groundsOption) expect(options).toContain(policy!.groundsOption);
    }
    const custodyOptions = RULES['psb.investigation-custody'].extensions;
    expect(CUSTODY_EXTENSIONS.map((r) => [r.option, r.months])).toEqual(custodyOptions.map((o) => [o.id, o.amount]));
  });

  it('clock timing has the engine shapes', () => {
    const run = toAccepted();
    const id = run.clockId('psb.filing-decision');
    run.do('extendFilingDecision', { variant: 'verify', reason: '需要查证' }, psbOfficer);
    run.do(
      'suspendClock',
      { clockId: id, reasonCode: 'appraisal', reason: '鉴定', approval: { approverName: '王某' } },
      psbOfficer,
    );
    const suspendedAt = run.now;
    let t = clockTiming(run.state.clocks[0]);
    expect(t).toMatchObject({
      ruleId: 'psb.filing-decision.verify',
      extensions: [],
      suspensions: [],
      suspendedSinceMs: suspendedAt,
    });
    run.do('resumeClock', { clockId: id }, psbOfficer, 2 * DAY);
    t = clockTiming(run.state.clocks[0]);
    const suspensions: readonly Suspension[] = t.suspensions;
    expect(suspensions).toEqual([{ fromMs: suspendedAt, toMs: run.now, reason: '鉴定' }]);
    expect(t.suspendedSinceMs).toBeUndefined();

    const inv = toInvestigation();
    inv.do('detainSuspect', { documentNumber: 'D1' }, psbOfficer);
    inv.do('requestArrest', { documentNumber: 'Q1' }, psbOfficer);
    inv.do('approveArrest', { documentNumber: 'A1' }, sppOfficer);
    inv.do('executeArrest', { documentNumber: 'X1' }, psbOfficer);
    inv.do(
      'extendInvestigationCustody',
      { documentNumber: 'E1', reason: '案情复杂', approval: { approverName: '李某', authority: 'higherSpp' } },
      psbOfficer,
    );
    const custody = clockTiming(inv.state.clocks.find((c) => c.baseRuleId === 'psb.investigation-custody')!);
    const extensions: readonly PeriodExtension[] = custody.extensions;
    expect(extensions).toEqual([
      {
        kind: 'add',
        amount: 1,
        unit: 'months',
        option: 'complex',
        approvedBy: '李某',
        reason: '案情复杂',
        approvedAtMs: inv.now,
      },
    ]);
    expect(custody.custody).toBe(true);
  });
});
