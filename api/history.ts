import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { STEPS, isStepName } from '../domain/case';
import { decodeHistory } from './codec';
import { chinaDateTimeZh } from '../domain/china-time';
import { AGENCY_ZH as AGENCY_LABELS, TRACK_ZH as TRACK_LABELS } from '../domain/vocabulary';

/**
 * The workflow history as a supervisor reads it: one Chinese line per meaningful event
 * (each step with who and what, each timer set and fired, each activity's record, each escalation).
 */
export interface TimelineEntry {
  eventId: number;
  at: string; // ISO instant
  atChina: string;
  kind: string;
  textZh: string;
  detail?: unknown;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

// Looked up by the codes a history carries, which may be any string.
const AGENCY_ZH: Readonly<Record<string, string>> = AGENCY_LABELS;
const TRACK_ZH: Readonly<Record<string, string>> = TRACK_LABELS;
const UPDATE_ZH: Record<string, string> = { registered: '确认案件登记' };
const updateLabel = (name: string) => UPDATE_ZH[name] ?? (isStepName(name) ? STEPS[name].labelZh : name);

const ACTIVITY_ZH: Record<string, string> = {
  loadCalendarYears: '读取节假日安排',
  registerCase: '登记案件记录',
  recordCaseChange: '写入案件事件与期限',
  deliverNotifications: '发送通知邮件',
};

function tsToMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!ts) return 0;
  const s = Number((ts.seconds as { toString(): string } | undefined)?.toString() ?? 0);
  return s * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

function durationMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return tsToMs(d);
}

export const formatChina = (ms: number): string => chinaDateTimeZh(ms, 'second');

function decode(payloads: temporal.api.common.v1.IPayloads | null | undefined): unknown[] {
  return (payloads?.payloads ?? []).map((p) => {
    try {
      return defaultPayloadConverter.fromPayload(p as never);
    } catch {
      return '（无法解码）';
    }
  });
}

function eventTypeName(e: HistoryEvent): string {
  const keys = Object.keys(e).filter((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
  return keys[0]?.replace(/EventAttributes$/, '') ?? 'unknown';
}

export function toTimeline(events: HistoryEvent[]): TimelineEntry[] {
  const scheduled = new Map<string, string>(); // scheduledEventId → activity type
  const out: TimelineEntry[] = [];
  for (const e of events) {
    const id = Number(e.eventId?.toString() ?? 0);
    const atMs = tsToMs(e.eventTime as never);
    const push = (kind: string, textZh: string, detail?: unknown) =>
      out.push({ eventId: id, at: new Date(atMs).toISOString(), atChina: formatChina(atMs), kind, textZh, detail });
    const type = eventTypeName(e);
    switch (type) {
      case 'workflowExecutionStarted': {
        const [input] = decode(e.workflowExecutionStartedEventAttributes?.input) as {
          track?: string;
          actor?: { displayName?: string; agency?: string };
        }[];
        push(
          'started',
          `案件流程启动（办理类型：${TRACK_ZH[input?.track ?? ''] ?? input?.track ?? '-'}，登记人：${input?.actor?.displayName ?? '-'}）`,
          { track: input?.track },
        );
        break;
      }
      case 'activityTaskScheduled': {
        const a = e.activityTaskScheduledEventAttributes!;
        const name = a.activityType?.name ?? '';
        scheduled.set(String(id), name);
        const [arg] = decode(a.input) as {
          event?: { labelZh?: string; actor?: { displayName?: string; agency?: string }; documentNumber?: string };
        }[];
        const label = arg?.event?.labelZh;
        const who = arg?.event?.actor?.displayName
          ? `（${AGENCY_ZH[arg.event.actor.agency ?? ''] ?? arg.event.actor.agency ?? ''} ${arg.event.actor.displayName}）`
          : '';
        const doc = arg?.event?.documentNumber ? `，文书号 ${arg.event.documentNumber}` : '';
        push('activityScheduled', `${ACTIVITY_ZH[name] ?? name}${label ? `：${label}` : ''}${who}${doc}`);
        break;
      }
      case 'activityTaskCompleted': {
        const name = scheduled.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString())) ?? '';
        push('activityCompleted', `${ACTIVITY_ZH[name] ?? name} 已完成`);
        break;
      }
      case 'activityTaskFailed': {
        const name = scheduled.get(String(e.activityTaskFailedEventAttributes?.scheduledEventId?.toString())) ?? '';
        push(
          'activityFailed',
          `${ACTIVITY_ZH[name] ?? name} 失败：${e.activityTaskFailedEventAttributes?.failure?.message ?? ''}`,
        );
        break;
      }
      case 'markerRecorded': {
        // A local activity (registration, step records, actor checks) leaves one marker when it ends;
        // other markers (patches) are bookkeeping.
        const a = e.markerRecordedEventAttributes!;
        if (a.markerName !== 'core_local_activity') break;
        const [data] = decode(a.details?.data) as { activity_type?: string }[];
        const name = data?.activity_type ?? '';
        // The check of a signed actor is bookkeeping of the platform, not a step of the case.
        if (name === 'verifyActorClaim') break;
        if (a.failure) push('activityFailed', `${ACTIVITY_ZH[name] ?? name} 失败：${a.failure.message ?? ''}`);
        else push('localActivity', `${ACTIVITY_ZH[name] ?? name}（已完成）`);
        break;
      }
      case 'timerStarted': {
        const ms = durationMs(e.timerStartedEventAttributes?.startToFireTimeout as never);
        push('timerStarted', `设定计时器：将于 ${formatChina(atMs + ms)} 触发`, {
          fireAt: new Date(atMs + ms).toISOString(),
        });
        break;
      }
      case 'timerFired':
        push('timerFired', '计时器到期触发');
        break;
      case 'timerCanceled':
        push('timerCanceled', '计时器取消（流程在到期前被唤醒）');
        break;
      case 'workflowExecutionUpdateAccepted': {
        const a = e.workflowExecutionUpdateAcceptedEventAttributes!;
        const name = a.acceptedRequest?.input?.name ?? '';
        const [arg] = decode(a.acceptedRequest?.input?.args) as {
          actor?: { displayName?: string; agency?: string; userId?: string };
          input?: { documentNumber?: string };
        }[];
        const who = arg?.actor
          ? `（${AGENCY_ZH[arg.actor.agency ?? ''] ?? arg.actor.agency ?? ''} ${arg.actor.displayName ?? arg.actor.userId ?? ''}）`
          : '';
        const doc = arg?.input?.documentNumber ? `，文书号 ${arg.input.documentNumber}` : '';
        push('update', `办理操作：${updateLabel(name)}${who}${doc}`, {
          step: name,
          actor: arg?.actor,
          input: arg?.input,
        });
        break;
      }
      case 'workflowExecutionUpdateCompleted': {
        const failure = e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.failure;
        if (failure) push('updateFailed', `办理操作未完成：${failure.message ?? ''}`);
        break;
      }
      case 'workflowExecutionSignaled':
        push('signal', `收到信号：${e.workflowExecutionSignaledEventAttributes?.signalName}`);
        break;
      case 'upsertWorkflowSearchAttributes':
        push('searchAttributes', '更新检索属性（阶段、期限、超期标志）');
        break;
      case 'workflowExecutionContinuedAsNew':
        push('continuedAsNew', '流程历史归档，延续为新的运行（continue-as-new）');
        break;
      case 'workflowExecutionCompleted':
        push('completed', '案件流程结束');
        break;
      case 'workflowExecutionTerminated':
        push('terminated', `案件流程被终止：${e.workflowExecutionTerminatedEventAttributes?.reason ?? ''}`);
        break;
      case 'workflowExecutionFailed':
        push('failed', `案件流程失败：${e.workflowExecutionFailedEventAttributes?.failure?.message ?? ''}`);
        break;
      default:
        // Workflow task bookkeeping is not meaningful to a supervisor; the raw export keeps it.
        break;
    }
  }
  return out;
}

export async function caseHistory(client: Client, workflowId: string) {
  // Stored encrypted (infra/data-converter.ts): decrypted here for the case's reader only.
  const history = await decodeHistory(client, await client.workflow.getHandle(workflowId).fetchHistory());
  return { history, timeline: toTimeline((history.events ?? []) as HistoryEvent[]), raw: () => historyToJSON(history) };
}
