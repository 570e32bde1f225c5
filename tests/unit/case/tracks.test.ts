import { initialState, isClosed, nextActions, validateInitial, StepRejectedError } from '../../../domain/case';
import { CaseRun, eebHead, eebOfficer, psbOfficer, sppOfficer, T0, toAccepted, toInvestigation } from './helpers';

describe('supplementary investigation: at most two rounds (CPL Art 175)', () => {
  it('accepts two rounds and rejects a third with 409', () => {
    const run = toInvestigation();
    run.do('transferForProsecution', { documentNumber: 'P1' }, psbOfficer);
    for (const round of [1, 2]) {
      const r = run.do(
        'returnForSupplementaryInvestigation',
        { documentNumber: `S${round}`, outline: '补充证据' },
        sppOfficer,
      );
      expect(r.event.data).toMatchObject({ round });
      expect(run.state.supplementaryInvestigationRounds).toBe(round);
      expect(run.clocks).toEqual(['psb.supplementary-investigation']);
      run.do('completeSupplementaryInvestigation', { documentNumber: `C${round}` }, psbOfficer);
      expect(run.stage).toBe('prosecutionReview');
    }
    const third = run.reject(
      'returnForSupplementaryInvestigation',
      { documentNumber: 'S3', outline: '再补充' },
      sppOfficer,
    );
    expect(third.code).toBe(409);
    expect(third.messageZh).toContain('补充侦查以二次为限');
    expect(run.state.supplementaryInvestigationRounds).toBe(2);
    // After two rounds the SPP decides: here, not to prosecute.
    run.do('decideNonProsecution', { documentNumber: 'NP1', reasons: '证据不足' }, sppOfficer);
    expect(run.stage).toBe('notProsecuted');
  });

  it('requires the supplementary investigation outline (2017 Art 19)', () => {
    const run = toInvestigation();
    run.do('transferForProsecution', { documentNumber: 'P1' }, psbOfficer);
    const r = run.reject('returnForSupplementaryInvestigation', { documentNumber: 'S1' }, sppOfficer);
    expect(r).toMatchObject({ code: 422, field: 'outline', messageZh: '缺少必填项：补充侦查提纲（outline）' });
  });
});

describe('the detention track (§C, 2014 Measures)', () => {
  it('runs from the transfer decision to the copy of the detention decision', () => {
    const run = new CaseRun({ track: 'detention' });
    expect(run.stage).toBe('detentionTransferDecided');
    expect(run.created.clocksOpened).toMatchObject([{ clockId: 'eeb.detention-transfer#1', responsibleAgency: 'eeb' }]);
    expect(run.created.event.documentNumber).toBe('长环移拘审〔2026〕1号');

    run.do(
      'deliverDetentionTransfer',
      { documentNumber: '长环移拘〔2026〕1号', psbUnit: '潞州区公安分局' },
      eebOfficer,
    );
    expect(run.stage).toBe('detentionDelivered');
    expect(run.clocks).toEqual([]);
    expect(nextActions(run.state)).toEqual([
      { step: 'acceptDetentionCase', agency: 'psb', labelZh: '受理行政拘留案件' },
    ]);

    run.do('acceptDetentionCase', { documentNumber: '潞公受〔2026〕1号' }, psbOfficer);
    expect(run.stage).toBe('detentionAccepted');
    expect(run.clocks).toEqual(['psb.public-security-case-limit']);
    const acceptedAt = run.now;

    let r = run.do(
      'requestDetentionEvidence',
      { documentNumber: '潞公补〔2026〕1号', items: ['现场照片'] },
      psbOfficer,
    );
    expect(r.windows).toEqual([
      { ruleId: 'psb.detention-evidence-request', startedAtMs: acceptedAt, responsibleAgency: 'psb' },
    ]);
    run.do('supplementDetentionEvidence', { documentNumber: '长环补拘〔2026〕1号' }, eebOfficer);

    r = run.do('decideDetention', { documentNumber: '潞公拘决〔2026〕1号', days: 10 }, psbOfficer);
    expect(run.stage).toBe('detentionDecided');
    expect(run.clocks).toEqual(['psb.detention-decision-copy']);

    run.do('sendDetentionDecisionCopy', { documentNumber: '潞公拘决〔2026〕1号' }, psbOfficer);
    expect(run.stage).toBe('detentionConcluded');
    expect(isClosed(run.state)).toBe(true);
    expect(run.clocks).toEqual([]);
  });

  it('a refusal within 5 workdays returns the case; the EEB closes it (2014 Art 15)', () => {
    const run = new CaseRun({ track: 'detention' });
    run.do('deliverDetentionTransfer', { documentNumber: 'T1' }, eebOfficer);
    run.do('acceptDetentionCase', { documentNumber: 'A1' }, psbOfficer);
    const r = run.do('refuseDetention', { documentNumber: 'R1', reasons: '事实不清、证据不足' }, psbOfficer);
    expect(run.stage).toBe('detentionRefused');
    expect(r.windows.map((w) => w.ruleId)).toEqual(['psb.detention-refusal']);
    expect(run.clocks).toEqual([]);
    expect(nextActions(run.state).map((a) => a.step)).toEqual(['closeCase']);
    expect(run.reject('decideAdministrativePenalty', { documentNumber: 'X' }, eebOfficer).code).toBe(409);
    run.do('closeCase', { reasons: '依法结案' }, eebOfficer);
    expect(run.stage).toBe('closed');
  });

  it('the case-handling limit can be extended once by 30 days and suspended for appraisal', () => {
    const run = new CaseRun({ track: 'detention' });
    run.do('deliverDetentionTransfer', { documentNumber: 'T1' }, eebOfficer);
    run.do('acceptDetentionCase', { documentNumber: 'A1' }, psbOfficer);
    const id = run.clockId('psb.public-security-case-limit');
    const ext = {
      clockId: id,
      amount: 30,
      unit: 'days',
      reason: '案情复杂',
      approval: { approverName: '市公安局李某' },
    };
    run.do('extendClock', ext, psbOfficer);
    expect(run.reject('extendClock', ext, psbOfficer)).toMatchObject({ code: 409, field: 'clockId' });
    const r = run.do(
      'suspendClock',
      { clockId: id, reasonCode: 'appraisal', reason: '鉴定', approval: { approverName: '李某' } },
      psbOfficer,
    );
    expect(r.clocksChanged).toEqual([id]);
  });

  it('the detention case is registered by the EEB head with the approval form', () => {
    expect(() =>
      initialState({ caseId: 'd', track: 'detention', createdAtMs: T0, actor: eebOfficer, documentNumber: 'X' }),
    ).toThrow(StepRejectedError);
    expect(validateInitial({ caseId: 'd', track: 'detention', createdAtMs: T0, actor: eebHead })).toMatchObject({
      ok: false,
      code: 422,
      field: 'documentNumber',
    });
    expect(validateInitial({ caseId: 'd', track: 'criminal', createdAtMs: T0, actor: psbOfficer })).toMatchObject({
      ok: false,
      code: 403,
    });
    expect(validateInitial({ caseId: '', track: 'criminal', createdAtMs: T0, actor: eebOfficer })).toMatchObject({
      ok: false,
      code: 422,
      field: 'caseId',
    });
  });

  it('an administrative case can be transferred for detention after the penalty (2014 Art 2)', () => {
    const run = new CaseRun({ track: 'administrative' });
    expect(
      run.reject('decideDetentionTransfer', { documentNumber: 'A1', penaltyDecisionNumber: 'P1' }, eebOfficer).code,
    ).toBe(403);
    const r = run.do(
      'decideDetentionTransfer',
      { documentNumber: 'A1', penaltyDecisionNumber: '长环罚〔2026〕1号' },
      eebHead,
    );
    expect(run.state.track).toBe('detention');
    expect(run.stage).toBe('detentionTransferDecided');
    expect(r.clocksOpened.map((c) => c.ruleId)).toEqual(['eeb.detention-transfer']);
  });
});

describe('reverse transfer (Decree 310 Art 13; 2017 Art 17)', () => {
  it('returns a filed case to the EEB, closing the PSB clocks and releasing custody', () => {
    const run = toInvestigation();
    run.do('detainSuspect', { documentNumber: 'D1' }, psbOfficer);
    expect(run.clocks).toEqual(['psb.arrest-request']);
    expect(run.reject('reverseTransfer', { documentNumber: 'RT1', reasons: '情节显著轻微' }, psbOfficer)).toMatchObject(
      {
        code: 422,
        field: 'copiedToSpp',
        messageZh: '缺少必填项：抄送同级人民检察院（copiedToSpp），须将文书抄送同级人民检察院（copiedToSpp 应为 true）',
      },
    );
    expect(
      run.reject('reverseTransfer', { documentNumber: 'RT1', reasons: '情节显著轻微', copiedToSpp: false }, psbOfficer),
    ).toMatchObject({
      code: 422,
      field: 'copiedToSpp',
      messageZh: '须将文书抄送同级人民检察院（copiedToSpp 应为 true）',
    });
    const r = run.do(
      'reverseTransfer',
      { documentNumber: 'RT1', reasons: '犯罪事实显著轻微', copiedToSpp: true },
      psbOfficer,
    );
    expect(run.stage).toBe('reverseTransferred');
    expect(run.state.custody).toBe(false);
    expect(r.clocksClosed).toEqual(['psb.arrest-request#1']);
    expect(run.clocks).toEqual([]);
    expect(nextActions(run.state)).toEqual([
      { step: 'decideAdministrativePenalty', agency: 'eeb', labelZh: '作出行政处罚决定' },
      { step: 'closeCase', agency: 'eeb', labelZh: '结案' },
    ]);
    run.do('decideAdministrativePenalty', { documentNumber: '长环罚〔2026〕5号' }, eebOfficer);
    expect(run.stage).toBe('penaltyDecided');
  });

  it('may also follow review before filing', () => {
    const run = toAccepted();
    run.do(
      'reverseTransfer',
      { documentNumber: 'RT1', reasons: '没有犯罪事实，应予行政处罚', copiedToSpp: true },
      psbOfficer,
    );
    expect(run.stage).toBe('reverseTransferred');
    expect(run.clocks).toEqual([]);
  });
});

describe("the procuratorate's transfer opinion (2017 Art 14)", () => {
  it('on an administrative case the EEB has not transferred: 3 days to transfer', () => {
    const run = new CaseRun({ track: 'administrative' });
    expect(run.stage).toBe('administrativePenalty');
    expect(run.created.clocksOpened).toEqual([]);
    const r = run.do(
      'issueTransferOpinion',
      { documentNumber: '长检意〔2026〕1号', reasons: '涉嫌污染环境罪' },
      sppOfficer,
    );
    expect(run.stage).toBe('transferOpinionIssued');
    expect(run.state.track).toBe('criminal');
    expect(r.clocksOpened).toMatchObject([
      { ruleId: 'eeb.transfer-after-procuratorate-opinion', responsibleAgency: 'eeb', startedAtMs: run.now },
    ]);
    // The EEB must transfer: no refusal, no withdrawal, no penalty instead.
    expect(run.reject('withdrawCase', { documentNumber: 'W', reasons: 'x' }, eebOfficer).code).toBe(409);
    expect(run.reject('decideAdministrativePenalty', { documentNumber: 'X' }, eebOfficer).code).toBe(409);
    run.do('deliverTransfer', { documentNumber: '长环移〔2026〕7号', copiedToSpp: true }, eebOfficer);
    expect(run.stage).toBe('delivered');
    expect(run.clocks).toEqual(['psb.receipt']);
  });

  it('on a criminal lead stuck before approval: replaces the internal clocks', () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    expect(run.clocks).toEqual(['eeb.transfer-report']);
    const r = run.do('issueTransferOpinion', { documentNumber: 'O1', reasons: '应移未移' }, sppOfficer);
    expect(r.clocksClosed).toEqual(['eeb.transfer-report#1']);
    expect(run.clocks).toEqual(['eeb.transfer-after-procuratorate-opinion']);
  });

  it('only the SPP issues it, and not after the case was transferred', () => {
    const run = new CaseRun({ track: 'administrative' });
    expect(run.reject('issueTransferOpinion', { documentNumber: 'O1', reasons: 'x' }, psbOfficer).code).toBe(403);
    const accepted = toAccepted();
    expect(accepted.reject('issueTransferOpinion', { documentNumber: 'O1', reasons: 'x' }, sppOfficer).code).toBe(409);
  });
});

describe('the administrative-penalty track', () => {
  it('ends with the penalty decision', () => {
    const run = new CaseRun({ track: 'administrative' });
    expect(nextActions(run.state)).toEqual([
      { step: 'decideAdministrativePenalty', agency: 'eeb', labelZh: '作出行政处罚决定' },
      { step: 'closeCase', agency: 'eeb', labelZh: '结案' },
    ]);
    run.do('decideAdministrativePenalty', { documentNumber: '长环罚〔2026〕1号' }, eebOfficer);
    expect(run.stage).toBe('penaltyDecided');
    expect(isClosed(run.state)).toBe(true);
  });

  it('switches to the criminal track when a suspected crime is found', () => {
    const run = new CaseRun({ track: 'administrative' });
    const r = run.do('reportSuspectedCrime', { summary: '排放量超过标准三倍' }, eebOfficer);
    expect(run.state.track).toBe('criminal');
    expect(run.stage).toBe('lead');
    expect(r.clocksOpened.map((c) => c.clockId)).toEqual(['eeb.task-force#1']);
  });
});
