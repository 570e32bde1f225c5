import {
  applyStep,
  availableSteps,
  checkInvariants,
  isClosed,
  nextActions,
  STEP_NAMES,
  STEPS,
  StepRejectedError,
  validateStep,
} from '../../../domain/case';
import { CaseRun, eebHead, eebOfficer, psbHead, psbOfficer, sppOfficer, toAccepted, toInvestigation } from './helpers';

describe('rejected steps', () => {
  it('404 for an unknown step', () => {
    const run = new CaseRun({ track: 'criminal' });
    expect(validateStep(run.state, 'launchRocket', {}, eebOfficer)).toEqual({
      ok: false,
      code: 404,
      messageZh: '未知的操作：launchRocket',
    });
    // Object prototype names are not steps.
    expect(validateStep(run.state, 'toString', {}, eebOfficer)).toMatchObject({ code: 404 });
  });

  it('409 for a step in the wrong stage', () => {
    const run = new CaseRun({ track: 'criminal' });
    const r = run.reject('approveTransfer', { documentNumber: 'A1' }, eebHead);
    expect(r).toEqual({
      ok: false,
      code: 409,
      messageZh: '当前阶段为「线索发现（待成立专案组）」，不能「负责人批准移送」',
    });
    const accepted = toAccepted();
    expect(accepted.reject('acknowledgeReceipt', { documentNumber: 'H2' }, psbOfficer).code).toBe(409);
    expect(accepted.reject('prosecute', { documentNumber: 'P' }, sppOfficer).code).toBe(409);
  });

  it("403 when an agency acts on another agency's step", () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('formTaskForce', { members: ['张三', '李四'] }, eebOfficer);
    run.do('submitTransferReport', { documentNumber: 'R1' }, eebOfficer);
    // PSB cannot approve the EEB's transfer, even its head.
    expect(run.reject('approveTransfer', { documentNumber: 'A1' }, psbHead)).toEqual({
      ok: false,
      code: 403,
      messageZh: '「负责人批准移送」只能由生态环境局负责人办理，公安局无权办理',
    });
    // Approval needs the EEB head role.
    expect(run.reject('approveTransfer', { documentNumber: 'A1' }, eebOfficer)).toEqual({
      ok: false,
      code: 403,
      messageZh: '「负责人批准移送」须由生态环境局负责人办理',
    });
    // The EEB cannot file.
    const accepted = toAccepted();
    expect(accepted.reject('fileCase', { documentNumber: 'F1' }, eebHead).code).toBe(403);
    // Only the SPP opens supervision.
    const notFiled = toAccepted();
    notFiled.do('declineFiling', { documentNumber: 'D1', reasons: '没有犯罪事实' }, psbOfficer);
    for (const actor of [eebHead, psbHead]) {
      expect(notFiled.reject('requestFilingExplanation', { documentNumber: 'Q1' }, actor).code).toBe(403);
    }
    expect(notFiled.reject('noticeToFile', { documentNumber: 'Q1', reasons: 'x' }, eebOfficer).code).toBe(403);
  });

  it('403 for an invalid actor', () => {
    const run = new CaseRun({ track: 'criminal' });
    expect(
      run.reject('formTaskForce', { members: ['a', 'b'] }, { userId: 'x', agency: 'court', role: 'judge' } as never),
    ).toMatchObject({
      code: 403,
      field: 'actor',
    });
  });

  it('422 for a missing or bad field, with a Chinese message naming it', () => {
    const run = toAccepted();
    expect(run.reject('fileCase', {}, psbOfficer)).toEqual({
      ok: false,
      code: 422,
      messageZh: '缺少必填项：立案决定书编号（documentNumber）',
      field: 'documentNumber',
    });
    expect(run.reject('fileCase', { documentNumber: '   ' }, psbOfficer)).toMatchObject({
      code: 422,
      messageZh: '立案决定书编号（documentNumber）不能为空',
    });
    expect(run.reject('declineFiling', { documentNumber: 'D1' }, psbOfficer)).toMatchObject({
      code: 422,
      field: 'reasons',
      messageZh: '缺少必填项：理由（reasons）',
    });
    expect(run.reject('fileCase', null, psbOfficer)).toMatchObject({ code: 422, messageZh: '请求内容须为 JSON 对象' });
    expect(run.reject('extendFilingDecision', { variant: 'forever', reason: 'x' }, psbOfficer)).toMatchObject({
      code: 422,
      field: 'variant',
      messageZh: '延长类别（variant）取值无效，可选值：verify、major',
    });
    const fresh = new CaseRun({ track: 'criminal' });
    expect(fresh.reject('formTaskForce', { members: ['张三'] }, eebOfficer)).toMatchObject({
      code: 422,
      field: 'members',
      messageZh: '专案组成员（至少2名）（members）至少需要2项',
    });
    const detention = new CaseRun({ track: 'detention' });
    detention.do('deliverDetentionTransfer', { documentNumber: 'T1' }, eebOfficer);
    detention.do('acceptDetentionCase', { documentNumber: 'A1' }, psbOfficer);
    expect(detention.reject('decideDetention', { documentNumber: 'X', days: 20 }, psbOfficer)).toMatchObject({
      code: 422,
      messageZh: '拘留天数（days）不得大于15',
    });
    expect(detention.reject('decideDetention', { documentNumber: 'X', days: '10' }, psbOfficer)).toMatchObject({
      code: 422,
      messageZh: '拘留天数（days）类型不正确，应为数字',
    });
  });

  it('409 on a closed case; applyStep refuses what validateStep refuses', () => {
    const run = new CaseRun({ track: 'administrative' });
    run.do('decideAdministrativePenalty', { documentNumber: 'P1' }, eebOfficer);
    expect(run.reject('closeCase', { reasons: 'x' }, eebOfficer)).toEqual({
      ok: false,
      code: 409,
      messageZh: '案件已作出行政处罚，不能再「结案」',
    });
    expect(() => applyStep(run.state, 'closeCase', { reasons: 'x' }, eebOfficer, run.now + 1)).toThrow(
      StepRejectedError,
    );
    try {
      applyStep(run.state, 'closeCase', { reasons: 'x' }, eebOfficer, run.now + 1);
    } catch (e) {
      expect((e as StepRejectedError).rejection.code).toBe(409);
    }
    expect(availableSteps(run.state)).toEqual([]);
  });
});

describe('withdrawal', () => {
  it('closes all clocks and ends the case', () => {
    const run = toInvestigation();
    run.do('detainSuspect', { documentNumber: 'D1' }, psbOfficer);
    run.do('requestConsultation', { documentNumber: 'C1', toAgency: 'spp', question: '罪名？' }, psbOfficer);
    run.do('requestConsultation', { documentNumber: 'C2', toAgency: 'eeb', question: '监测？' }, sppOfficer);
    expect(run.state.clocks).toHaveLength(3);
    // In the PSB's stage, only the PSB withdraws (撤销案件).
    expect(run.reject('withdrawCase', { documentNumber: 'W1', reasons: 'x' }, eebOfficer)).toMatchObject({ code: 403 });
    expect(run.reject('withdrawCase', { documentNumber: 'W1', reasons: 'x' }, sppOfficer)).toMatchObject({ code: 403 });
    const open = run.state.clocks.map((c) => c.clockId).sort();
    const r = run.do('withdrawCase', { documentNumber: '长公撤〔2026〕1号', reasons: '犯罪事实显著轻微' }, psbOfficer);
    expect(r.clocksClosed.sort()).toEqual(open);
    expect(r.clocksOpened).toEqual([]);
    expect(run.state.clocks).toEqual([]);
    expect(run.stage).toBe('withdrawn');
    expect(run.state.flags.withdrawn).toBe(true);
    expect(run.state.custody).toBe(false);
    expect(isClosed(run.state)).toBe(true);
    expect(nextActions(run.state)).toEqual([]);
    expect(r.event).toMatchObject({
      type: 'withdrawn',
      documentNumber: '长公撤〔2026〕1号',
      stageFrom: 'investigation',
    });
    expect(checkInvariants(run.state)).toEqual([]);
  });

  it('the EEB withdraws before transfer; nobody withdraws in SPP-held stages', () => {
    const run = new CaseRun({ track: 'criminal' });
    run.do('withdrawCase', { documentNumber: 'W1', reasons: '经核实不构成违法' }, eebOfficer);
    expect(run.stage).toBe('withdrawn');
    const review = toInvestigation();
    review.do('transferForProsecution', { documentNumber: 'P1' }, psbOfficer);
    expect(review.reject('withdrawCase', { documentNumber: 'W', reasons: 'x' }, psbOfficer).code).toBe(409);
  });
});

describe('the step table', () => {
  it('every step has a Chinese label, performers, stages, an event type and a legal basis', () => {
    for (const name of STEP_NAMES) {
      const def = STEPS[name];
      expect(def.labelZh).toMatch(/[\u4e00-\u9fff]/);
      expect(def.basisZh).toMatch(/[\u4e00-\u9fff]/);
      expect(def.performers.length).toBeGreaterThan(0);
      expect(def.from.length).toBeGreaterThan(0);
      expect(def.eventType).toMatch(/^[a-z][A-Za-z]+$/);
      expect(name).toMatch(/^[a-z][A-Za-z]+$/);
    }
    expect(new Set(STEP_NAMES.map((n) => STEPS[n].eventType)).size).toBe(STEP_NAMES.length);
  });

  it('every document-bearing step requires documentNumber', () => {
    for (const name of STEP_NAMES) {
      const def = STEPS[name];
      if (!def.documentZh) continue;
      const shape = (
        def.schema as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }
      ).shape;
      expect([name, shape.documentNumber.safeParse(undefined).success]).toEqual([name, false]);
    }
  });
});
