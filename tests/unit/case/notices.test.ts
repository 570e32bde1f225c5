import {
  chinaTimeZh,
  handoverNotices,
  lateSuffixZh,
  mailTitleZh,
  rungLabelZh,
  rungNotice,
  supervisionItemText,
  type CaseRef,
  type ClockRun,
} from '../../../domain/case';
import { planClock } from '../../../workflows/clocks';
import { CaseRun, T0 } from './helpers';

const ref: CaseRef = {
  caseId: 'case-1',
  caseNumber: '长环移〔2026〕1号',
  title: '某化工厂偷排案',
  track: 'criminal',
  confidentiality: 'internal',
};
const secret: CaseRef = { ...ref, caseNumber: undefined, confidentiality: 'confidential' };
const BASIS = '《行政执法机关移送涉嫌犯罪案件的规定》第五条第一款';
const FOOTER = '\n\n本邮件由联动执法协作平台自动发送。';

/** A criminal lead on Monday 2026-03-02 09:00: its task-force clock is due on Tuesday 23:59:59. */
function lead() {
  const run = new CaseRun({ track: 'criminal' });
  const [spec] = run.state.clocks;
  const plan = planClock({
    ruleId: spec.ruleId,
    startedAtMs: spec.startedAtMs,
    custody: spec.custody,
    calendarYears: [],
    actingAgency: spec.responsibleAgency,
  });
  const clock: ClockRun = { clockId: spec.clockId, optional: spec.optional, plan, fired: [], level: 'none' };
  return { run, plan, clock };
}

describe('case notices (domain/case/notices.ts)', () => {
  it('China time in Chinese, whatever the process time zone', () => {
    expect(chinaTimeZh(Date.UTC(2026, 2, 3, 15, 59, 59))).toBe('2026年03月03日 23:59:59（北京时间）');
  });

  it("keeps a confidential case's title out of mail", () => {
    expect(mailTitleZh(ref)).toBe('“某化工厂偷排案”');
    expect(mailTitleZh(secret)).toBe('（保密案件）');
  });

  it('labels each rung of the ladder', () => {
    const { plan } = lead();
    expect(plan.ladder.map((r) => rungLabelZh(r, plan))).toEqual([
      '预警：指定专案组 将于 2026年03月03日 23:59:59（北京时间） 期满',
      '超期：指定专案组 已于 2026年03月03日 23:59:59（北京时间） 期满',
      '生成检察监督事项（可能有案不移）：指定专案组',
      '提请联动工作组督办：指定专案组 超期 3 个工作日',
    ]);
  });

  it('addresses each rung to its audience in the responsible agency, with the rule, due time, basis and link', () => {
    const { plan } = lead();
    const notices = plan.ladder.map((r) => rungNotice(ref, r, plan));
    expect(notices.map((n) => [n.audience, n.agency, n.subject])).toEqual([
      [['handling'], 'eeb', '【预警】案件 长环移〔2026〕1号 指定专案组'],
      [['agencyHead'], 'eeb', '【超期】案件 长环移〔2026〕1号 指定专案组'],
      [['supervision'], 'eeb', '【生成检察监督事项（可能有案不移）】案件 长环移〔2026〕1号 指定专案组'],
      [['workingGroup'], 'eeb', '【提请联动工作组督办】案件 长环移〔2026〕1号 指定专案组'],
    ]);
    expect(notices[1].bodyText).toBe(
      [
        '案件编号：长环移〔2026〕1号 “某化工厂偷排案”',
        '事项：超期：指定专案组 已于 2026年03月03日 23:59:59（北京时间） 期满',
        '期限规则：eeb.task-force（指定专案组）',
        '期满时间：2026年03月03日 23:59:59（北京时间）',
        `法律依据：${BASIS}`,
        '请及时办理：指定专案组',
        '案件链接：/cases/case-1',
      ].join('\n') + FOOTER,
    );
  });

  it('names a confidential case by its id only, and marks a provisional due time', () => {
    const { plan } = lead();
    const n = rungNotice(secret, plan.ladder[0], { ...plan, provisional: true });
    expect(n.subject).toBe('【预警】案件 case-1 指定专案组');
    expect(n.bodyText).toContain('案件编号：case-1 （保密案件）\n');
    expect(n.bodyText).toContain('期满时间：2026年03月03日 23:59:59（北京时间）（暂定：该年度节假日安排尚未载入）\n');
    expect(n.bodyText).not.toContain('某化工厂偷排案');
  });

  it('tells the agency that now holds the case what to do and its own clocks', () => {
    const { run, clock } = lead();
    const [n, ...rest] = handoverNotices(ref, run.state, [clock], 'psb');
    expect(rest).toEqual([]);
    expect(n.audience).toEqual(['handling']);
    expect(n.agency).toBe('eeb');
    expect(n.subject).toBe('【待办】案件 长环移〔2026〕1号 线索发现（待成立专案组）');
    expect(n.bodyText).toBe(
      [
        '案件编号：长环移〔2026〕1号 “某化工厂偷排案”',
        '当前阶段：线索发现（待成立专案组）',
        '请办理：成立专案组',
        `期限：指定专案组，期满 2026年03月03日 23:59:59（北京时间）（${BASIS}）`,
        '案件链接：/cases/case-1',
      ].join('\n') + FOOTER,
    );
  });

  it('sends no handover when the holder did not change, nor for a closed case', () => {
    const { run, clock } = lead();
    expect(handoverNotices(ref, run.state, [clock], 'eeb')).toEqual([]);
    const closed = { ...run.state, stage: 'withdrawn' as const, closedAtMs: T0 };
    expect(handoverNotices(ref, closed, [], 'eeb')).toEqual([]);
  });

  it('suffixes a step that came after a window rule', () => {
    expect(lateSuffixZh([])).toBe('');
    expect(lateSuffixZh([{ labelZh: '书面告知材料不全' }, { labelZh: '转送有管辖权的公安机关' }])).toBe(
      '（超出法定期限：书面告知材料不全、转送有管辖权的公安机关）',
    );
  });

  it('words the supervision item a supervision rung opens', () => {
    const { plan } = lead();
    expect(supervisionItemText(ref, plan, 'notTransferred')).toEqual({
      subjectLabelZh: '案件 长环移〔2026〕1号“某化工厂偷排案”',
      reasonZh:
        '案件 长环移〔2026〕1号“某化工厂偷排案”：指定专案组（eeb.task-force）已于 2026年03月03日 23:59:59（北京时间） 期满仍未办理，可能有案不移',
      basis: `${BASIS}；《环境保护行政执法与刑事司法衔接工作办法》第十四条、第十五条`,
    });
    expect(supervisionItemText(secret, plan, 'notTransferred').subjectLabelZh).toBe('案件 case-1 （保密案件）');
  });
});
