/**
 * The words of a case's mail and records: the handover notice (待办), the notice of each rung of a clock's ladder,
 * and the supervision item a supervision rung opens. Pure: the workflow queues what these return.
 */
import { SUPERVISION_ZH, formatChinaIso, rungAudience, type Audience } from '../deadlines';
import { SUPERVISION_KIND_ZH, type SupervisionKind } from '../supervision';
import { isClosed, nextActions, responsibleAgency } from './machine';
import type { CaseRef, ClockPlan, ClockRun, Rung } from './projections';
import { STAGE_LABELS, type CaseState } from './types';

/** One mail to queue: who (the audience within an agency) and what. */
export interface Notice {
  audience: Audience[];
  /** Agency whose people are addressed (for handling / agencyHead). */
  agency: string;
  subject: string;
  bodyText: string;
}

const FOOTER = ['', '本邮件由联动执法协作平台自动发送。'];

/** "2026年10月09日 23:59:59（北京时间）" — independent of the process's time zone. */
export function chinaTimeZh(ms: number): string {
  const iso = formatChinaIso(ms); // 2026-10-09T23:59:59+08:00
  return `${iso.slice(0, 4)}年${iso.slice(5, 7)}月${iso.slice(8, 10)}日 ${iso.slice(11, 19)}（北京时间）`;
}

const reference = (ref: CaseRef) => ref.caseNumber ?? ref.caseId;

/** The title as mail may show it: a confidential case's title stays out of mail. */
export const mailTitleZh = (ref: CaseRef): string =>
  ref.confidentiality === 'confidential' ? '（保密案件）' : `“${ref.title}”`;

/** What a rung records and says, e.g. "超期：作出立案或不予立案决定 已于 … 期满". */
export function rungLabelZh(rung: Rung, plan: ClockPlan): string {
  switch (rung.kind) {
    case 'warning':
      return `预警：${plan.labelZh} 将于 ${chinaTimeZh(plan.dueAtMs)} 期满`;
    case 'overdue':
      return `超期：${plan.labelZh} 已于 ${chinaTimeZh(plan.dueAtMs)} 期满`;
    case 'supervision':
      return `生成检察监督事项（可能${(rung.supervisionType && SUPERVISION_ZH[rung.supervisionType]) ?? '违法'}）：${plan.labelZh}`;
    case 'escalation':
    default:
      return `提请联动工作组督办：${plan.labelZh} 超期 3 个工作日`;
  }
}

/** The mail of a rung, to the rung's audience in the agency responsible for the clock. */
export function rungNotice(ref: CaseRef, rung: Rung, plan: ClockPlan): Notice {
  const what = rungLabelZh(rung, plan);
  return {
    audience: rungAudience(rung.kind),
    agency: plan.responsibleAgency,
    subject: `【${what.split('：')[0]}】案件 ${reference(ref)} ${plan.labelZh}`,
    bodyText: [
      `案件编号：${reference(ref)} ${mailTitleZh(ref)}`,
      `事项：${what}`,
      `期限规则：${plan.ruleId}（${plan.labelZh}）`,
      `期满时间：${chinaTimeZh(plan.dueAtMs)}${plan.provisional ? '（暂定：该年度节假日安排尚未载入）' : ''}`,
      `法律依据：${plan.basis}`,
      `请及时办理：${plan.nextActionZh}`,
      `案件链接：/cases/${ref.caseId}`,
      ...FOOTER,
    ].join('\n'),
  };
}

/**
 * Tells the agency that now holds the case what it has to do and by when (its own clocks). Nothing when the holder
 * did not change (`holderBefore`), when nobody holds the case, or when it is closed.
 */
export function handoverNotices(
  ref: CaseRef,
  state: CaseState,
  clocks: readonly ClockRun[],
  holderBefore: string | null,
): Notice[] {
  const holder = responsibleAgency(state);
  if (!holder || holder === holderBefore || isClosed(state)) return [];
  const todo = nextActions(state)
    .filter((a) => a.agency === holder)
    .map((a) => a.labelZh);
  return [
    {
      audience: ['handling'],
      agency: holder,
      subject: `【待办】案件 ${reference(ref)} ${STAGE_LABELS[state.stage]}`,
      bodyText: [
        `案件编号：${reference(ref)} ${mailTitleZh(ref)}`,
        `当前阶段：${STAGE_LABELS[state.stage]}`,
        `请办理：${todo.join('、') || '见案件页面'}`,
        ...clocks
          .filter((c) => c.plan.responsibleAgency === holder)
          .map((c) => `期限：${c.plan.labelZh}，期满 ${chinaTimeZh(Date.parse(c.plan.dueAtIso))}（${c.plan.basis}）`),
        `案件链接：/cases/${ref.caseId}`,
        ...FOOTER,
      ].join('\n'),
    },
  ];
}

/** The suffix of a step's label when it came after a window rule's limit (e.g. 24 hours to tell the EEB). */
export const lateSuffixZh = (late: readonly { labelZh: string }[]): string =>
  late.length ? `（超出法定期限：${late.map((w) => w.labelZh).join('、')}）` : '';

/** The words of the supervision item a clock's supervision rung opens. */
export function supervisionItemText(ref: CaseRef, plan: ClockPlan, kind: SupervisionKind) {
  const subjectLabelZh =
    ref.confidentiality === 'confidential'
      ? `案件 ${reference(ref)} （保密案件）`
      : `案件 ${reference(ref)}“${ref.title}”`;
  return {
    subjectLabelZh,
    reasonZh: `${subjectLabelZh}：${plan.labelZh}（${plan.ruleId}）已于 ${chinaTimeZh(plan.dueAtMs)} 期满仍未办理，可能${SUPERVISION_KIND_ZH[kind]}`,
    basis: `${plan.basis}；《环境保护行政执法与刑事司法衔接工作办法》第十四条、第十五条`,
  };
}
