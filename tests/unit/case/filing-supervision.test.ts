import { markClockOverdue, nextActions, responsibleAgency } from '../../../domain/case';
import { CaseRun, DAY, eebOfficer, psbOfficer, sppOfficer, toAccepted } from './helpers';

function notFiledAndNotified(): CaseRun {
  const run = toAccepted();
  run.do('declineFiling', { documentNumber: '长公不立〔2026〕1号', reasons: '没有犯罪事实' }, psbOfficer);
  run.do(
    'notifyNonFiling',
    { documentNumber: '长公不立通〔2026〕1号', copiedToSpp: true, materialsReturned: true },
    psbOfficer,
  );
  return run;
}

describe('not filed → reconsideration → supervision → filed after notice', () => {
  it('follows the whole supervision path', () => {
    const run = toAccepted();
    let r = run.do('declineFiling', { documentNumber: '长公不立〔2026〕1号', reasons: '没有犯罪事实' }, psbOfficer);
    expect(run.stage).toBe('notFiled');
    expect(run.clocks).toEqual(['psb.decision-notice']);
    expect(responsibleAgency(run.state)).toBe('psb');
    expect(r.event).toMatchObject({ type: 'notFiled', data: { reasons: '没有犯罪事实' } });
    // The EEB cannot ask for reconsideration before it has the notice.
    expect(run.reject('requestReconsideration', { documentNumber: 'X', reasons: 'Y' }, eebOfficer)).toMatchObject({
      code: 409,
      messageZh: '尚未收到不予立案通知书，不能申请复议',
    });

    r = run.do(
      'notifyNonFiling',
      { documentNumber: '长公不立通〔2026〕1号', copiedToSpp: true, materialsReturned: true },
      psbOfficer,
    );
    expect(run.clocks).toEqual(['eeb.reconsideration-request']);
    expect(r.clocksOpened[0]).toMatchObject({ optional: true, responsibleAgency: 'eeb' });
    expect(nextActions(run.state).map((a) => `${a.agency}:${a.step}`)).toEqual([
      'eeb:requestReconsideration',
      'eeb:proposeSupervision',
      'spp:requestFilingExplanation',
      'eeb:decideAdministrativePenalty',
      'eeb:closeCase',
    ]);

    run.do('requestReconsideration', { documentNumber: '长环复〔2026〕1号', reasons: '有犯罪事实' }, eebOfficer);
    expect(run.stage).toBe('reconsideration');
    expect(run.clocks).toEqual(['psb.reconsideration-decision']);

    run.do('upholdNonFiling', { documentNumber: '长公复决〔2026〕1号', reasons: '维持原决定' }, psbOfficer);
    expect(run.stage).toBe('notFiled');
    expect(run.clocks).toEqual(['eeb.supervision-proposal']);
    // Only one reconsideration.
    expect(run.reject('requestReconsideration', { documentNumber: 'X', reasons: 'Y' }, eebOfficer).code).toBe(409);

    run.do('proposeSupervision', { documentNumber: '长环监建〔2026〕1号', reasons: '应当立案' }, eebOfficer);
    expect(run.stage).toBe('supervision');
    expect(run.clocks).toEqual([]);
    expect(run.state.supervision).toEqual({ origin: 'eebProposal', kind: 'nonFiling', explanation: 'none' });
    // The SPP must first ask for the reasons.
    expect(run.reject('noticeToFile', { documentNumber: 'X', reasons: 'Y' }, sppOfficer).code).toBe(409);

    run.do('requestFilingExplanation', { documentNumber: '长检要说〔2026〕1号' }, sppOfficer);
    expect(run.clocks).toEqual(['psb.non-filing-explanation']);
    expect(responsibleAgency(run.state)).toBe('psb');
    expect(nextActions(run.state)).toContainEqual({
      step: 'explainNonFiling',
      agency: 'psb',
      labelZh: '书面说明不立案理由',
    });

    run.do('explainNonFiling', { documentNumber: '长公说〔2026〕1号', reasons: '证据不足' }, psbOfficer);
    expect(run.clocks).toEqual([]);
    expect(run.state.supervision?.explanation).toBe('received');

    run.do('noticeToFile', { documentNumber: '长检通立〔2026〕1号', reasons: '不立案理由不能成立' }, sppOfficer);
    expect(run.stage).toBe('noticeToFile');
    expect(run.clocks).toEqual(['psb.file-after-notice']);

    const r2 = run.do('fileAfterNotice', { documentNumber: '长公立〔2026〕2号' }, psbOfficer, 10 * DAY);
    expect(run.stage).toBe('investigation');
    expect(run.clocks).toEqual(['psb.decision-notice', 'spp.supervised-case-followup']);
    expect(r2.clocksOpened.find((c) => c.ruleId === 'spp.supervised-case-followup')).toMatchObject({
      clockId: 'spp.supervised-case-followup#1',
      responsibleAgency: 'spp',
      optional: false,
    });
    expect(run.state.supervision).toBeNull();

    run.do('notifyFiling', { documentNumber: '长公立通〔2026〕2号', copiedToSpp: true }, psbOfficer);
    expect(run.clocks).toEqual(['eeb.evidence-handover', 'spp.supervised-case-followup']);
    run.do('urgeInvestigation', { documentNumber: '长检催〔2026〕1号' }, sppOfficer, 90 * DAY);
    expect(run.clocks).toEqual(['eeb.evidence-handover']);
    run.do('transferForProsecution', { documentNumber: 'P1' }, psbOfficer);
    expect(run.clocks).toEqual(['eeb.evidence-handover', 'spp.prosecution-review']);
  });

  it('reconsideration that files the case opens the evidence handover at once', () => {
    const run = notFiledAndNotified();
    run.do('requestReconsideration', { documentNumber: 'R1', reasons: '有犯罪事实' }, eebOfficer);
    const r = run.do('grantReconsideration', { documentNumber: 'RD1' }, psbOfficer);
    expect(run.stage).toBe('investigation');
    expect(r.clocksOpened.map((c) => c.ruleId)).toEqual(['eeb.evidence-handover']);
  });

  it('refuses a reconsideration request after its 3-workday window has lapsed', () => {
    const run = notFiledAndNotified();
    run.state = markClockOverdue(run.state, run.clockId('eeb.reconsideration-request'), run.now + 5 * DAY);
    expect(run.reject('requestReconsideration', { documentNumber: 'R1', reasons: 'x' }, eebOfficer)).toMatchObject({
      code: 409,
      messageZh: '申请复议的期限（3个工作日）已过',
    });
    // Supervision is still open to the EEB (2017 Art 12 has no period).
    run.do('proposeSupervision', { documentNumber: 'S1', reasons: '应当立案' }, eebOfficer);
    expect(run.stage).toBe('supervision');
  });

  it('the SPP may start supervision itself; reasons found to stand are told to the EEB within 10 days', () => {
    const run = notFiledAndNotified();
    run.do('requestFilingExplanation', { documentNumber: 'Q1' }, sppOfficer);
    expect(run.state.supervision).toEqual({ origin: 'sppInitiative', kind: 'nonFiling', explanation: 'requested' });
    // The EEB's reconsideration window closes: the case is under supervision.
    expect(run.clocks).toEqual(['psb.non-filing-explanation']);
    run.do('explainNonFiling', { documentNumber: 'E1', reasons: '情节显著轻微' }, psbOfficer);
    run.do('findReasonsStand', { reasons: '不立案理由成立' }, sppOfficer);
    expect(run.stage).toBe('reasonsUpheld');
    expect(run.clocks).toEqual(['spp.review-outcome-notice']);
    expect(run.reject('closeCase', { reasons: 'x' }, eebOfficer).code).toBe(409);
    run.do('notifyReviewOutcome', { documentNumber: 'O1' }, sppOfficer);
    expect(run.clocks).toEqual([]);
    run.do('decideAdministrativePenalty', { documentNumber: '长环罚〔2026〕2号' }, eebOfficer);
    expect(run.stage).toBe('penaltyDecided');
  });

  it('a late filing decision: EEB proposes supervision only once the clock is overdue; SPP asks for reasons', () => {
    const run = toAccepted();
    expect(run.reject('proposeSupervision', { documentNumber: 'S1', reasons: '逾期' }, eebOfficer)).toMatchObject({
      code: 409,
      messageZh: '公安机关立案审查期限尚未届满',
    });
    expect(run.reject('requestLateDecisionExplanation', { documentNumber: 'Q1' }, sppOfficer).code).toBe(409);
    run.state = markClockOverdue(run.state, 'psb.filing-decision#1', run.now + 4 * DAY);
    expect(run.state.clocks[0].overdueAtMs).toBe(run.now + 4 * DAY);
    // Marking twice changes nothing.
    expect(markClockOverdue(run.state, 'psb.filing-decision#1', run.now + 9 * DAY)).toBe(run.state);
    run.do('proposeSupervision', { documentNumber: 'S1', reasons: '逾期未作决定' }, eebOfficer, 5 * DAY);
    expect(run.state.supervision).toEqual({ origin: 'eebProposal', kind: 'lateDecision', explanation: 'none' });
    // The overdue filing clock is still open: the PSB may still decide.
    expect(run.clocks).toEqual(['psb.filing-decision']);
    run.do('requestLateDecisionExplanation', { documentNumber: 'Q1' }, sppOfficer);
    expect(run.clocks).toEqual(['psb.filing-decision', 'psb.late-decision-explanation']);
    // No explanation within 7 days: the SPP may notify filing (SPP Rules 562).
    expect(run.reject('noticeToFile', { documentNumber: 'N1', reasons: 'x' }, sppOfficer).code).toBe(409);
    run.state = markClockOverdue(run.state, run.clockId('psb.late-decision-explanation'), run.now + 7 * DAY);
    const r = run.do('noticeToFile', { documentNumber: 'N1', reasons: '符合立案条件' }, sppOfficer, 8 * DAY);
    expect(r.clocksClosed.sort()).toEqual(['psb.filing-decision#1', 'psb.late-decision-explanation#1']);
    expect(run.clocks).toEqual(['psb.file-after-notice']);
  });

  it('under late-decision supervision the PSB may still decide, which ends the supervision', () => {
    const run = toAccepted();
    run.state = markClockOverdue(run.state, 'psb.filing-decision#1', run.now + 4 * DAY);
    run.do('requestLateDecisionExplanation', { documentNumber: 'Q1' }, sppOfficer);
    expect(run.stage).toBe('supervision');
    run.do('explainLateDecision', { documentNumber: 'E1', reasons: '鉴定未完成' }, psbOfficer);
    run.do('declineFiling', { documentNumber: 'D1', reasons: '没有犯罪事实' }, psbOfficer);
    expect(run.stage).toBe('notFiled');
    expect(run.state.supervision).toBeNull();
    expect(run.clocks).toEqual(['psb.decision-notice']);
  });

  it('the PSB may file during non-filing supervision (PSB Criminal Rules Art 182)', () => {
    const run = notFiledAndNotified();
    run.do('requestFilingExplanation', { documentNumber: 'Q1' }, sppOfficer);
    // A second decline is not possible: it already declined.
    expect(run.reject('declineFiling', { documentNumber: 'D2', reasons: 'x' }, psbOfficer).code).toBe(409);
    const r = run.do('fileCase', { documentNumber: 'F1' }, psbOfficer);
    expect(r.clocksClosed).toEqual(['psb.non-filing-explanation#1']);
    expect(run.stage).toBe('investigation');
  });
});
