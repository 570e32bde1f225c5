import { checkInvariants, isClosed, nextActions, responsibleAgency, STAGE_LABELS } from '../../../domain/case';
import { CaseRun, DAY, eebHead, eebOfficer, psbOfficer, sppOfficer, T0 } from './helpers';

describe('a criminal case from lead to judgment', () => {
  it('walks every step in order with the right stage and open clocks', () => {
    const run = new CaseRun({ track: 'criminal' });
    expect(run.stage).toBe('lead');
    expect(run.created.clocksOpened).toEqual([
      {
        clockId: 'eeb.task-force#1',
        ruleId: 'eeb.task-force',
        baseRuleId: 'eeb.task-force',
        startedAtMs: T0,
        responsibleAgency: 'eeb',
        custody: false,
        optional: false,
      },
    ]);
    expect(run.created.event).toMatchObject({ id: 'case-1/created', type: 'caseCreated', stageTo: 'lead' });
    expect(nextActions(run.state)).toEqual([{ step: 'formTaskForce', agency: 'eeb', labelZh: '成立专案组' }]);

    let r = run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    expect(run.stage).toBe('taskForce');
    expect(r.clocksClosed).toEqual(['eeb.task-force#1']);
    expect(run.clocks).toEqual(['eeb.transfer-report']);

    r = run.do('submitTransferReport', { documentNumber: '长环报〔2026〕1号' }, eebOfficer);
    expect(run.stage).toBe('approvalPending');
    expect(run.clocks).toEqual(['eeb.transfer-approval']);
    expect(r.event.documentNumber).toBe('长环报〔2026〕1号');

    r = run.do('approveTransfer', { documentNumber: '长环批〔2026〕1号' }, eebHead);
    expect(run.stage).toBe('transferApproved');
    expect(run.clocks).toEqual(['eeb.transfer-delivery']);
    expect(r.event.actor).toEqual(eebHead);

    r = run.do(
      'deliverTransfer',
      { documentNumber: '长环移〔2026〕1号', copiedToSpp: true, psbUnit: '长治市公安局' },
      eebOfficer,
    );
    expect(run.stage).toBe('delivered');
    expect(run.clocks).toEqual(['psb.receipt']);
    expect(run.state.psbUnit).toBe('长治市公安局');
    expect(r.event.data).toMatchObject({ copiedToSpp: true });

    r = run.do('acknowledgeReceipt', { documentNumber: '长公回〔2026〕1号' }, psbOfficer);
    expect(run.stage).toBe('accepted');
    expect(run.clocks).toEqual(['psb.filing-decision']);
    expect(run.state.milestones.acceptedAtMs).toBe(run.now);
    const acceptedAt = run.now;

    // Materials incomplete: notice within 24 h of acceptance (a window), EEB supplements within 3 days.
    r = run.do(
      'notifyMaterialsIncomplete',
      { documentNumber: '长公补〔2026〕1号', missingItems: ['监测报告'] },
      psbOfficer,
    );
    expect(run.stage).toBe('accepted');
    expect(run.clocks).toEqual(['eeb.materials-supplement', 'psb.filing-decision']);
    expect(r.windows).toEqual([
      { ruleId: 'psb.materials-incomplete-notice', startedAtMs: acceptedAt, responsibleAgency: 'psb' },
    ]);
    r = run.do('supplementMaterials', { documentNumber: '长环补〔2026〕1号', outcome: 'supplemented' }, eebOfficer);
    expect(run.clocks).toEqual(['psb.filing-decision']);

    r = run.do('fileCase', { documentNumber: '长公立〔2026〕1号' }, psbOfficer);
    expect(run.stage).toBe('investigation');
    expect(run.clocks).toEqual(['psb.decision-notice']);
    expect(r.clocksClosed).toEqual(['psb.filing-decision#1']);
    expect(nextActions(run.state).map((a) => a.step)).toContain('notifyFiling');

    r = run.do('notifyFiling', { documentNumber: '长公立通〔2026〕1号', copiedToSpp: true }, psbOfficer);
    expect(run.clocks).toEqual(['eeb.evidence-handover']);
    expect(nextActions(run.state)).toContainEqual({
      step: 'handOverEvidence',
      agency: 'eeb',
      labelZh: '移交涉案物品及有关材料',
    });

    run.do('handOverEvidence', { documentNumber: '长环交〔2026〕1号' }, eebOfficer);
    expect(run.clocks).toEqual([]);

    // Detention, arrest request (custody clocks).
    r = run.do('detainSuspect', { documentNumber: '长公拘〔2026〕1号' }, psbOfficer);
    expect(run.state.custody).toBe(true);
    expect(r.clocksOpened).toMatchObject([{ ruleId: 'psb.arrest-request', custody: true, responsibleAgency: 'psb' }]);

    r = run.do('requestArrest', { documentNumber: '长公提捕〔2026〕1号' }, psbOfficer);
    expect(run.stage).toBe('arrestReview');
    expect(run.clocks).toEqual(['spp.arrest-decision']);
    expect(r.clocksOpened[0]).toMatchObject({ custody: true, responsibleAgency: 'spp' });

    run.do('approveArrest', { documentNumber: '长检批捕〔2026〕1号' }, sppOfficer);
    expect(run.stage).toBe('investigation');
    expect(run.state.arrest).toBe('approved');
    expect(run.clocks).toEqual([]);

    r = run.do('executeArrest', { documentNumber: '长公捕〔2026〕1号' }, psbOfficer);
    expect(run.state.arrest).toBe('arrested');
    expect(run.clocks).toEqual(['psb.investigation-custody']);
    expect(r.clocksOpened[0]).toMatchObject({ clockId: 'psb.investigation-custody#1', custody: true });

    // Investigation custody extension +1 month by the next-level procuratorate.
    r = run.do(
      'extendInvestigationCustody',
      {
        documentNumber: '晋检延〔2026〕1号',
        reason: '案情复杂',
        approval: { approverName: '省检察院王某', authority: 'higherSpp' },
      },
      psbOfficer,
      50 * DAY,
    );
    expect(r.clocksChanged).toEqual(['psb.investigation-custody#1']);
    expect(run.state.clocks[0].extensions).toMatchObject([{ kind: 'add', amount: 1, unit: 'months' }]);

    r = run.do('transferForProsecution', { documentNumber: '长公诉意〔2026〕1号' }, psbOfficer);
    expect(run.stage).toBe('prosecutionReview');
    expect(run.clocks).toEqual(['spp.prosecution-review']);

    r = run.do(
      'returnForSupplementaryInvestigation',
      { documentNumber: '长检退补〔2026〕1号', outline: '补充监测数据' },
      sppOfficer,
    );
    expect(run.stage).toBe('supplementaryInvestigation');
    expect(run.clocks).toEqual(['psb.supplementary-investigation']);
    expect(run.state.supplementaryInvestigationRounds).toBe(1);

    r = run.do('completeSupplementaryInvestigation', { documentNumber: '长公补侦〔2026〕1号' }, psbOfficer);
    expect(run.stage).toBe('prosecutionReview');
    // CPL Art 175: the review period starts afresh: a new clock.
    expect(r.clocksOpened.map((c) => c.clockId)).toEqual(['spp.prosecution-review#2']);

    run.do('prosecute', { documentNumber: '长检诉〔2026〕1号', court: '长治市中级人民法院' }, sppOfficer);
    expect(run.stage).toBe('trial');
    expect(run.clocks).toEqual([]);
    expect(nextActions(run.state)).toEqual([{ step: 'recordJudgment', agency: 'spp', labelZh: '登记人民法院判决' }]);

    r = run.do(
      'recordJudgment',
      { documentNumber: '（2026）晋04刑初1号', court: '长治市中级人民法院', outcome: 'convicted' },
      sppOfficer,
    );
    expect(run.stage).toBe('judged');
    expect(isClosed(run.state)).toBe(true);
    expect(run.state.custody).toBe(false);
    expect(run.state.closedAtMs).toBe(run.now);
    expect(nextActions(run.state)).toEqual([]);
    expect(responsibleAgency(run.state)).toBeNull();
    expect(STAGE_LABELS[run.stage]).toBe('已判决');

    // Every step is recorded with who, when and the document number; ids are deterministic.
    expect(run.results.map((x) => x.event.id)).toEqual(run.results.map((_, i) => `case-1/step/${i + 2}`));
    expect(run.state.history.map((h) => h.step)[0]).toBe('createCase');
    expect(run.state.history).toHaveLength(run.results.length + 1);
    for (const x of run.results) {
      expect(x.event.actor.userId).toBeTruthy();
      expect(x.event.atMs).toBeGreaterThan(T0);
    }
    expect(checkInvariants(run.state)).toEqual([]);
  });

  it('is deterministic: the same steps give the same results', () => {
    const play = () => {
      const run = new CaseRun({ track: 'criminal' });
      run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
      run.do('submitTransferReport', { documentNumber: 'R1' }, eebOfficer);
      return run.results;
    };
    expect(play()).toEqual(play());
  });

  it('does not mutate the state it is given', () => {
    const run = new CaseRun({ track: 'criminal' });
    const before = JSON.stringify(run.state);
    const first = run.state;
    run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    expect(JSON.stringify(first)).toBe(before);
  });

  it('opens the not-detained arrest decision clock when the suspect is not held', () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    run.do('submitTransferReport', { documentNumber: 'R1' }, eebOfficer);
    run.do('approveTransfer', { documentNumber: 'A1' }, eebHead);
    run.do('deliverTransfer', { documentNumber: 'T1', copiedToSpp: true }, eebOfficer);
    run.do('acknowledgeReceipt', { documentNumber: 'H1' }, psbOfficer);
    run.do('fileCase', { documentNumber: 'F1' }, psbOfficer);
    const r = run.do('requestArrest', { documentNumber: 'Q1' }, psbOfficer);
    expect(r.clocksOpened).toMatchObject([{ ruleId: 'spp.arrest-decision.not-detained', custody: false }]);
    // The decision notice keeps running while the SPP reviews.
    expect(run.clocks).toEqual(['psb.decision-notice', 'spp.arrest-decision.not-detained']);
    run.do(
      'disapproveArrest',
      { documentNumber: 'N1', reasons: '证据不足', supplementaryOutline: '补充取证' },
      sppOfficer,
    );
    expect(run.state.arrest).toBe('notApproved');
    expect(run.stage).toBe('investigation');
    // May request again after further investigation.
    run.do('requestArrest', { documentNumber: 'Q2' }, psbOfficer);
    expect(run.stage).toBe('arrestReview');
  });

  it('releases a detained suspect when arrest is not approved (CPL Art 91)', () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    run.do('submitTransferReport', { documentNumber: 'R1' }, eebOfficer);
    run.do('approveTransfer', { documentNumber: 'A1' }, eebHead);
    run.do('deliverTransfer', { documentNumber: 'T1', copiedToSpp: true }, eebOfficer);
    run.do('acknowledgeReceipt', { documentNumber: 'H1' }, psbOfficer);
    run.do('fileCase', { documentNumber: 'F1' }, psbOfficer);
    run.do('detainSuspect', { documentNumber: 'D1' }, psbOfficer);
    run.do('requestArrest', { documentNumber: 'Q1' }, psbOfficer);
    const r = run.do('disapproveArrest', { documentNumber: 'N1', reasons: '不符合逮捕条件' }, sppOfficer);
    expect(run.state.custody).toBe(false);
    expect(r.event.data).toMatchObject({ releaseRequired: true });
    expect(run.clocks).toEqual(['psb.decision-notice']);
  });

  it('forwards to the competent PSB, which accepts anew', () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    run.do('submitTransferReport', { documentNumber: 'R1' }, eebOfficer);
    run.do('approveTransfer', { documentNumber: 'A1' }, eebHead);
    run.do('deliverTransfer', { documentNumber: 'T1', copiedToSpp: true, psbUnit: '潞州区公安分局' }, eebOfficer);
    run.do('acknowledgeReceipt', { documentNumber: 'H1' }, psbOfficer);
    const acceptedAt = run.now;
    const r = run.do(
      'forwardToCompetentPsb',
      { documentNumber: 'F1', competentPsb: '长治市公安局', copiedToSpp: true },
      psbOfficer,
    );
    expect(run.stage).toBe('delivered');
    expect(run.state.psbUnit).toBe('长治市公安局');
    expect(r.clocksClosed).toEqual(['psb.filing-decision#1']);
    expect(r.clocksOpened.map((c) => c.clockId)).toEqual(['psb.receipt#2']);
    expect(r.windows).toEqual([
      { ruleId: 'psb.jurisdiction-forward', startedAtMs: acceptedAt, responsibleAgency: 'psb' },
    ]);
    run.do('acknowledgeReceipt', { documentNumber: 'H2' }, psbOfficer);
    expect(run.clocks).toEqual(['psb.filing-decision']);
    expect(run.state.clocks[0].clockId).toBe('psb.filing-decision#2');
  });

  it('returns a case outside police jurisdiction to the EEB, which closes it', () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    run.do('submitTransferReport', { documentNumber: 'R1' }, eebOfficer);
    run.do('approveTransfer', { documentNumber: 'A1' }, eebHead);
    run.do('deliverTransfer', { documentNumber: 'T1', copiedToSpp: true }, eebOfficer);
    run.do('acknowledgeReceipt', { documentNumber: 'H1' }, psbOfficer);
    const r = run.do('returnNonPolice', { documentNumber: 'B1', reasons: '不属公安机关管辖' }, psbOfficer);
    expect(run.stage).toBe('returnedToEeb');
    expect(r.windows.map((w) => w.ruleId)).toEqual(['psb.return-non-police']);
    expect(run.clocks).toEqual([]);
    expect(nextActions(run.state).map((a) => a.step)).toEqual(['decideAdministrativePenalty', 'closeCase']);
    run.do('closeCase', { reasons: '已移送其他主管机关' }, eebOfficer);
    expect(run.stage).toBe('closed');
  });

  it('records a refused transfer with reasons; the EEB then decides the penalty', () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    run.do('submitTransferReport', { documentNumber: 'R1' }, eebOfficer);
    const r = run.do('refuseTransfer', { reasons: '未达到立案追诉标准' }, eebHead);
    expect(run.stage).toBe('transferRefused');
    expect(r.event.data).toMatchObject({ reasons: '未达到立案追诉标准' });
    expect(run.clocks).toEqual([]);
    run.do('decideAdministrativePenalty', { documentNumber: '长环罚〔2026〕9号' }, eebOfficer);
    expect(run.stage).toBe('penaltyDecided');
    expect(isClosed(run.state)).toBe(true);
  });

  it('a case not prosecuted is notified to the EEB within 3 days, then the EEB decides', () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    run.do('submitTransferReport', { documentNumber: 'R1' }, eebOfficer);
    run.do('approveTransfer', { documentNumber: 'A1' }, eebHead);
    run.do('deliverTransfer', { documentNumber: 'T1', copiedToSpp: true }, eebOfficer);
    run.do('acknowledgeReceipt', { documentNumber: 'H1' }, psbOfficer);
    run.do('fileCase', { documentNumber: 'F1' }, psbOfficer);
    run.do('notifyFiling', { documentNumber: 'N1', copiedToSpp: true }, psbOfficer);
    run.do('handOverEvidence', { documentNumber: 'E1' }, eebOfficer);
    run.do('transferForProsecution', { documentNumber: 'P1' }, psbOfficer);
    run.do('decideNonProsecution', { documentNumber: 'NP1', reasons: '犯罪情节轻微' }, sppOfficer);
    expect(run.stage).toBe('notProsecuted');
    expect(run.clocks).toEqual(['spp.non-prosecution-notice']);
    // The EEB waits for the written notice.
    expect(run.reject('decideAdministrativePenalty', { documentNumber: 'X' }, eebOfficer).code).toBe(409);
    expect(
      run.reject('notifyNonProsecution', { documentNumber: 'NN1', penaltyOpinion: true }, sppOfficer),
    ).toMatchObject({ code: 422, field: 'opinionDocumentNumber' });
    run.do(
      'notifyNonProsecution',
      { documentNumber: 'NN1', penaltyOpinion: true, opinionDocumentNumber: 'JY1' },
      sppOfficer,
    );
    expect(run.clocks).toEqual([]);
    expect(nextActions(run.state).map((a) => `${a.agency}:${a.step}`)).toEqual([
      'eeb:decideAdministrativePenalty',
      'eeb:closeCase',
    ]);
    run.do('decideAdministrativePenalty', { documentNumber: '长环罚〔2026〕3号' }, eebOfficer);
    expect(run.stage).toBe('penaltyDecided');
  });
});
