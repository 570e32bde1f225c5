import { nextActions } from '../../../domain/case';
import { CaseRun, DAY, eebOfficer, psbOfficer, sppOfficer, toAccepted, toInvestigation } from './helpers';

describe('extension of the filing decision: 3 → 7 → 30 days (2017 Art 9)', () => {
  it('extends to 7 days for verification, then to 30 days with the county-level head approval', () => {
    const run = toAccepted();
    const id = run.clockId('psb.filing-decision');
    const startedAt = run.state.clocks[0].startedAtMs;

    let r = run.do('extendFilingDecision', { variant: 'verify', reason: '线索需要查证' }, psbOfficer);
    expect(r.clocksChanged).toEqual([id]);
    expect(r.clocksOpened).toEqual([]);
    expect(run.state.clocks[0]).toMatchObject({
      clockId: id,
      ruleId: 'psb.filing-decision.verify',
      baseRuleId: 'psb.filing-decision',
      startedAtMs: startedAt,
    });

    // Missing approval for 30 days → 422 naming the field.
    const missing = run.reject('extendFilingDecision', { variant: 'major', reason: '重大疑难复杂' }, psbOfficer);
    expect(missing).toMatchObject({ code: 422, field: 'approval' });
    expect(missing.messageZh).toContain('县级以上公安机关负责人批准');
    // Incomplete approval → 422 on the approver.
    expect(
      run.reject('extendFilingDecision', { variant: 'major', reason: '重大', approval: {} }, psbOfficer),
    ).toMatchObject({
      code: 422,
      field: 'approval.approverName',
      messageZh: '缺少必填项：审批人（approval.approverName）',
    });
    // Verify again → 409.
    expect(run.reject('extendFilingDecision', { variant: 'verify', reason: 'x' }, psbOfficer).code).toBe(409);

    r = run.do(
      'extendFilingDecision',
      {
        variant: 'major',
        reason: '重大疑难复杂',
        approval: { approverName: '王某', approverTitle: '市公安局副局长', documentNumber: '长公批〔2026〕3号' },
      },
      psbOfficer,
    );
    expect(run.state.clocks[0].ruleId).toBe('psb.filing-decision.major');
    expect(run.state.flags.major).toBe(true);
    expect(run.state.clocks[0].extensions).toMatchObject([
      {
        kind: 'variant',
        fromRuleId: 'psb.filing-decision',
        toRuleId: 'psb.filing-decision.verify',
        reason: '线索需要查证',
      },
      {
        kind: 'variant',
        fromRuleId: 'psb.filing-decision.verify',
        toRuleId: 'psb.filing-decision.major',
        approval: { approverName: '王某' },
      },
    ]);
    expect(r.event.data).toMatchObject({ toRuleId: 'psb.filing-decision.major', clockId: id });
    expect(
      run.reject(
        'extendFilingDecision',
        { variant: 'major', reason: 'x', approval: { approverName: 'y' } },
        psbOfficer,
      ),
    ).toMatchObject({
      code: 409,
      messageZh: '立案审查期限已延长至三十日，不得再延长',
    });
    // Filing closes the (variant) clock.
    r = run.do('fileCase', { documentNumber: 'F1' }, psbOfficer);
    expect(r.clocksClosed).toEqual([id]);
  });

  it('may go straight from 3 to 30 days; the generic extension is refused for it', () => {
    const run = toAccepted();
    const id = run.clockId('psb.filing-decision');
    expect(
      run.reject(
        'extendClock',
        { clockId: id, amount: 4, unit: 'days', reason: 'x', approval: { approverName: 'y' } },
        psbOfficer,
      ),
    ).toMatchObject({ code: 409, field: 'clockId' });
    run.do(
      'extendFilingDecision',
      { variant: 'major', reason: '重大', approval: { approverName: '王某' } },
      psbOfficer,
    );
    expect(run.state.clocks[0].ruleId).toBe('psb.filing-decision.major');
  });

  it('only the PSB extends its filing clock', () => {
    const run = toAccepted();
    expect(run.reject('extendFilingDecision', { variant: 'verify', reason: 'x' }, eebOfficer).code).toBe(403);
  });
});

describe('investigation custody extensions (CPL Arts 156, 158, 159)', () => {
  const arrested = () => {
    const run = toInvestigation();
    run.do('detainSuspect', { documentNumber: 'D1' }, psbOfficer);
    run.do('requestArrest', { documentNumber: 'Q1' }, psbOfficer);
    run.do('approveArrest', { documentNumber: 'A1' }, sppOfficer);
    run.do('executeArrest', { documentNumber: 'X1' }, psbOfficer);
    return run;
  };
  const ext = (authority: string, extra: Record<string, unknown> = {}) => ({
    documentNumber: 'E',
    reason: '期限届满不能终结',
    approval: { approverName: '检察官', authority },
    ...extra,
  });

  it('allows +1, +2, +2 months with the approvals named in law, and no fourth', () => {
    const run = arrested();
    expect(run.reject('extendInvestigationCustody', ext('provincialSpp'), psbOfficer)).toMatchObject({
      code: 422,
      field: 'approval.authority',
    });
    run.do('extendInvestigationCustody', ext('higherSpp'), psbOfficer, 55 * DAY);
    expect(run.reject('extendInvestigationCustody', ext('provincialSpp'), psbOfficer)).toMatchObject({
      code: 422,
      field: 'ground',
    });
    run.do('extendInvestigationCustody', ext('provincialSpp', { ground: 'criminalGroup' }), psbOfficer, 25 * DAY);
    expect(run.reject('extendInvestigationCustody', ext('provincialSpp'), psbOfficer)).toMatchObject({
      code: 422,
      field: 'possibleSentenceTenYearsPlus',
    });
    run.do(
      'extendInvestigationCustody',
      ext('provincialSpp', { possibleSentenceTenYearsPlus: true }),
      psbOfficer,
      55 * DAY,
    );
    const clock = run.state.clocks.find((c) => c.baseRuleId === 'psb.investigation-custody')!;
    expect(clock.extensions.map((e) => (e.kind === 'add' ? e.amount : 0))).toEqual([1, 2, 2]);
    expect(clock.custody).toBe(true);
    const fourth = run.reject(
      'extendInvestigationCustody',
      ext('provincialSpp', { possibleSentenceTenYearsPlus: true }),
      psbOfficer,
    );
    expect(fourth).toMatchObject({ code: 409, messageZh: '侦查羁押期限已依法延长三次，不得再延长' });
  });

  it('custody clocks cannot be suspended, and need a held suspect', () => {
    const run = arrested();
    const id = run.clockId('psb.investigation-custody');
    expect(
      run.reject(
        'suspendClock',
        { clockId: id, reasonCode: 'other', reason: 'x', approval: { approverName: 'y' } },
        psbOfficer,
      ),
    ).toMatchObject({ code: 409, messageZh: '羁押期限不得中止计算' });
    const r = run.do('releaseSuspect', { documentNumber: 'B1', measure: 'bail', reasons: '取保候审' }, psbOfficer);
    expect(r.clocksClosed).toEqual([id]);
    expect(run.state.custody).toBe(false);
  });
});

describe('generic clock extension (extendClock)', () => {
  it('extends the arrest request by up to 4 days, or to 30 days for 流窜/多次/结伙', () => {
    const run = toInvestigation();
    run.do('detainSuspect', { documentNumber: 'D1' }, psbOfficer);
    const clockId = run.clockId('psb.arrest-request');
    const base = { clockId, unit: 'days', reason: '特殊情况', approval: { approverName: '县公安局长' } };
    expect(run.reject('extendClock', { ...base, amount: 5 }, psbOfficer)).toMatchObject({ code: 409, field: 'amount' });
    expect(run.reject('extendClock', { ...base, amount: 2, unit: 'months' }, psbOfficer)).toMatchObject({
      code: 422,
      field: 'unit',
    });
    expect(run.reject('extendClock', { ...base, amount: 2 }, sppOfficer)).toMatchObject({
      code: 403,
      field: 'clockId',
    });
    run.do('extendClock', { ...base, amount: 4 }, psbOfficer);
    expect(run.reject('extendClock', { ...base, amount: 1 }, psbOfficer).code).toBe(409);
    const r = run.do('extendClock', { ...base, amount: 23, ground: 'gang' }, psbOfficer);
    expect(r.clocksChanged).toEqual([clockId]);
    expect(run.state.clocks.find((c) => c.clockId === clockId)!.extensions).toHaveLength(2);
  });

  it('extends the prosecution review once by 15 days; refuses clocks the law does not extend', () => {
    const run = toInvestigation();
    run.do('transferForProsecution', { documentNumber: 'P1' }, psbOfficer);
    const id = run.clockId('spp.prosecution-review');
    const req = { clockId: id, amount: 15, unit: 'days', reason: '重大复杂', approval: { approverName: '检察长' } };
    run.do('extendClock', req, sppOfficer);
    expect(run.reject('extendClock', req, sppOfficer)).toMatchObject({ code: 409 });

    const other = toAccepted();
    other.do('notifyMaterialsIncomplete', { documentNumber: 'M1', missingItems: ['清单'] }, psbOfficer);
    expect(
      other.reject(
        'extendClock',
        {
          clockId: other.clockId('eeb.materials-supplement'),
          amount: 1,
          unit: 'days',
          reason: 'x',
          approval: { approverName: 'y' },
        },
        eebOfficer,
      ),
    ).toMatchObject({ code: 409, messageZh: '该期限依法不得延长' });
  });
});

describe('suspension and resumption', () => {
  it('suspends a clock with approver and reason, refuses a double suspension, and resumes it', () => {
    const run = toAccepted();
    const id = run.clockId('psb.filing-decision');
    const susp = { clockId: id, reasonCode: 'appraisal', reason: '危险废物鉴定', approval: { approverName: '王某' } };
    expect(run.reject('suspendClock', { ...susp, approval: undefined }, psbOfficer)).toMatchObject({
      code: 422,
      field: 'approval',
      messageZh: '缺少必填项：审批信息（approval）',
    });
    expect(run.reject('suspendClock', susp, eebOfficer).code).toBe(403);
    expect(run.reject('resumeClock', { clockId: id }, psbOfficer).code).toBe(409);
    let r = run.do('suspendClock', susp, psbOfficer);
    expect(r.clocksChanged).toEqual([id]);
    expect(run.state.clocks[0].suspensions).toEqual([
      {
        fromMs: run.now,
        reason: '危险废物鉴定',
        reasonCode: 'appraisal',
        approval: { approverName: '王某' },
        byUserId: 'psb-1',
      },
    ]);
    expect(run.reject('suspendClock', susp, psbOfficer)).toMatchObject({ code: 409, messageZh: '该期限已中止计算' });
    r = run.do('resumeClock', { clockId: id, reason: '鉴定完成' }, psbOfficer, 10 * DAY);
    expect(run.state.clocks[0].suspensions[0].toMs).toBe(run.now);
    expect(r.clocksChanged).toEqual([id]);
    // Suspended again later: a second period.
    run.do('suspendClock', susp, psbOfficer);
    expect(run.state.clocks[0].suspensions).toHaveLength(2);
  });

  it('refuses an unknown clock', () => {
    const run = toAccepted();
    expect(run.reject('resumeClock', { clockId: 'nope#1' }, psbOfficer).code).toBe(409);
    expect(
      run.reject(
        'suspendClock',
        { clockId: 'nope#1', reasonCode: 'other', reason: 'x', approval: { approverName: 'y' } },
        psbOfficer,
      ),
    ).toMatchObject({ code: 409, field: 'clockId' });
  });
});

describe('cross-cutting steps', () => {
  it('written consultation opens a 7-day reply clock for the agency asked, who alone may answer', () => {
    const run = new CaseRun({ track: 'criminal' });
    expect(
      run.reject('requestConsultation', { documentNumber: 'Z1', toAgency: 'eeb', question: 'x' }, eebOfficer),
    ).toMatchObject({
      code: 422,
      field: 'toAgency',
    });
    const r = run.do(
      'requestConsultation',
      { documentNumber: '长环咨〔2026〕1号', toAgency: 'spp', question: '立案追诉标准？' },
      eebOfficer,
    );
    expect(r.clocksOpened).toMatchObject([
      {
        clockId: 'any.written-consultation-reply#1',
        ruleId: 'any.written-consultation-reply',
        responsibleAgency: 'spp',
      },
    ]);
    run.do(
      'requestConsultation',
      { documentNumber: '长环咨〔2026〕2号', toAgency: 'psb', question: '证据固定？' },
      eebOfficer,
    );
    expect(nextActions(run.state).filter((a) => a.step === 'replyConsultation')).toEqual([
      {
        step: 'replyConsultation',
        agency: 'spp',
        labelZh: '书面答复咨询',
        clockId: 'any.written-consultation-reply#1',
      },
      {
        step: 'replyConsultation',
        agency: 'psb',
        labelZh: '书面答复咨询',
        clockId: 'any.written-consultation-reply#2',
      },
    ]);
    const answer = {
      documentNumber: '长检复〔2026〕1号',
      clockId: 'any.written-consultation-reply#1',
      answer: '已达标准',
    };
    expect(run.reject('replyConsultation', answer, psbOfficer)).toMatchObject({
      code: 403,
      messageZh: '该咨询应由人民检察院答复',
    });
    const reply = run.do('replyConsultation', answer, sppOfficer);
    expect(reply.clocksClosed).toEqual(['any.written-consultation-reply#1']);
    expect(run.clocks).toEqual(['any.written-consultation-reply', 'eeb.task-force']);
    // The stage never moved.
    expect(run.stage).toBe('lead');
  });

  it('early involvement by PSB and SPP, once each; joint investigation; joint supervision', () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('earlyInvolvement', { note: '协助调查取证' }, psbOfficer);
    run.do('earlyInvolvement', {}, sppOfficer);
    expect(run.state.flags.earlyInvolvement).toEqual(['psb', 'spp']);
    expect(run.reject('earlyInvolvement', {}, psbOfficer).code).toBe(409);
    expect(run.reject('earlyInvolvement', {}, eebOfficer).code).toBe(403);
    run.do('jointInvestigation', { participants: ['eeb', 'psb'], note: '现场采样' }, eebOfficer);
    expect(run.state.flags.jointInvestigation).toBe(true);
    expect(run.reject('jointInvestigation', { participants: ['eeb', 'eeb'], note: 'x' }, eebOfficer)).toMatchObject({
      code: 422,
      field: 'participants',
    });
    expect(run.reject('jointSupervision', { documentNumber: 'J1' }, eebOfficer).code).toBe(403);
    run.do('jointSupervision', { documentNumber: '联督〔2026〕1号' }, { userId: 'eh', agency: 'eeb', role: 'head' });
    expect(run.state.flags).toMatchObject({ jointSupervision: true, major: true });
    expect(
      run.reject('jointSupervision', { documentNumber: 'J2' }, { userId: 'h', agency: 'spp', role: 'head' }).code,
    ).toBe(409);
    expect(run.stage).toBe('lead');
    expect(run.clocks).toEqual(['eeb.task-force']);
  });
});
