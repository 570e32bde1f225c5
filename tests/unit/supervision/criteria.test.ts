import { POLICY_RULES, RULES } from '../../../domain/deadlines';
import {
  OPINIONS,
  THRESHOLDS,
  canTransition,
  extractFacts,
  matchThresholds,
  opinionsFor,
  priorPenaltiesWithinTwoYears,
  supervisionItemId,
  withinTwoYears,
} from '../../../domain/supervision';

const ids = (text: string) => matchThresholds(extractFacts(text)).map((m) => m.criterionId);

describe('supervision item lifecycle', () => {
  it('opened → opinionIssued → answered → closed; closed is final', () => {
    expect(canTransition('opened', 'opinionIssued')).toBe(true);
    expect(canTransition('opinionIssued', 'answered')).toBe(true);
    expect(canTransition('answered', 'closed')).toBe(true);
    expect(canTransition('opened', 'answered')).toBe(false);
    expect(canTransition('closed', 'opened')).toBe(false);
    expect(canTransition('closed', 'opinionIssued')).toBe(false);
  });
  it('item ids are deterministic per (subject, kind, source) and URL-safe', () => {
    const a = supervisionItemId('case', 'c1', 'notFiled', 'sweep');
    expect(a).toBe(supervisionItemId('case', 'c1', 'notFiled', 'sweep'));
    expect(a).not.toBe(supervisionItemId('case', 'c1', 'notFiled', 'ladder-psb.filing-decision'));
    expect(supervisionItemId('penaltyRecord', 'a/b c', 'penaltyInsteadOfCriminal', 'sweep')).toMatch(
      /^[A-Za-z0-9._-]+$/,
    );
  });
  it('every opinion answers on a rule of the table (statutory or policy) and fits its kinds', () => {
    for (const o of Object.values(OPINIONS)) {
      expect(o.answerRuleId in RULES || o.answerRuleId in POLICY_RULES).toBe(true);
      if (o.closeRuleId) expect(o.closeRuleId in RULES).toBe(true);
    }
    expect(OPINIONS.requestNonFilingReasons.answerRuleId).toBe('psb.non-filing-explanation');
    expect(RULES['psb.non-filing-explanation'].limit).toBe(7);
    expect(RULES['psb.late-decision-explanation'].limit).toBe(7);
    expect(RULES['eeb.transfer-after-procuratorate-opinion'].limit).toBe(3);
    expect(RULES['psb.file-after-notice'].limit).toBe(15);
    expect(RULES['spp.review-outcome-notice'].limit).toBe(10);
    expect(opinionsFor('notTransferred')).toEqual(['transferOpinion']);
    expect(opinionsFor('notFiled')).toEqual(['requestNonFilingReasons', 'requestLateDecisionReasons', 'noticeToFile']);
  });
});

describe('criminal thresholds of the 2023 interpretation, Art 1', () => {
  it('Art 1(2): hazardous waste ≥ 3 tons (3 t meets it, 2.9 t does not; kilograms convert)', () => {
    expect(ids('非法倾倒危险废物3吨')).toEqual(['interp.1.2-hazardous-waste']);
    expect(ids('非法倾倒危险废物2.9吨')).toEqual([]);
    expect(ids('擅自处置危险废物（废矿物油）3500千克')).toEqual(['interp.1.2-hazardous-waste']);
    expect(THRESHOLDS.find((t) => t.id === 'interp.1.2-hazardous-waste')!.basis).toContain('第一条第（二）项');
  });
  it('Art 1(3): lead, mercury, cadmium, chromium, arsenic, thallium, antimony ≥ 3 times the standard', () => {
    expect(ids('外排废水总铬超标3.5倍')).toEqual(['interp.1.3-heavy-metals']);
    expect(ids('外排废水总镉浓度超过排放标准2倍')).toEqual([]);
  });
  it('Art 1(4): nickel, copper, zinc, silver, vanadium, manganese, cobalt ≥ 10 times', () => {
    expect(ids('总镍超标12倍')).toEqual(['interp.1.4-other-metals']);
    expect(ids('总锌超标9倍')).toEqual([]);
  });
  it('Art 1(5): concealed discharge (暗管、渗坑…)', () => {
    expect(ids('通过暗管向河道排放含毒废水')).toEqual(['interp.1.5-concealed']);
    expect(ids('未批先建')).toEqual([]);
  });
  it('Art 1(6): two or more administrative penalties within two years, then again', () => {
    expect(matchThresholds({ priorPenaltiesWithinTwoYears: 2 }).map((m) => m.criterionId)).toEqual([
      'interp.1.6-repeat',
    ]);
    expect(matchThresholds({ priorPenaltiesWithinTwoYears: 1 })).toEqual([]);
    expect(priorPenaltiesWithinTwoYears('2026-10-10', ['2025-03-01', '2026-01-05', '2024-10-09'])).toBe(2);
    expect(withinTwoYears('2024-10-10', '2026-10-10')).toBe(true);
    expect(withinTwoYears('2024-10-09', '2026-10-10')).toBe(false);
    expect(withinTwoYears('2026-10-10', '2026-10-10')).toBe(false);
  });
  it('Art 1(7): a key polluter falsifying automatic monitoring data', () => {
    expect(ids('重点排污单位篡改自动监测数据排放化学需氧量')).toEqual(['interp.1.7-monitoring']);
  });
  it('Art 1(8): pollution-control spending cut ≥ 1,000,000 yuan', () => {
    expect(ids('违法减少防治污染设施运行支出120万元')).toEqual(['interp.1.8-control-cost']);
    expect(ids('违法减少防治污染设施运行支出80万元')).toEqual([]);
  });
  it('Art 1(9): illegal gain or loss ≥ 300,000 yuan', () => {
    expect(ids('违法所得35万元')).toEqual(['interp.1.9-gain-or-loss']);
    expect(ids('造成财产损失280000元')).toEqual([]);
  });
  it('Art 1(11), (14), (15): water intake interrupted ≥ 12 h, ≥ 5000 evacuated, ≥ 30 poisoned', () => {
    expect(ids('致使乡镇集中式饮用水水源取水中断13小时')).toEqual(['interp.1.11-drinking-water']);
    expect(ids('取水中断6小时')).toEqual([]);
    expect(ids('紧急疏散群众6000人')).toEqual(['interp.1.14-evacuation']);
    expect(ids('致使31人中毒')).toEqual(['interp.1.15-poisoning']);
    expect(ids('致使3人中毒')).toEqual([]);
  });
  it('a summary without quantities meets nothing', () => {
    expect(extractFacts('未按规定设置危险废物识别标志')).toEqual({});
  });
});
