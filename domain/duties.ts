/** Names shared by the duty workflows, activities, configuration and API (pure). */
import { z } from 'zod';
import { DUTY_IDS, RECURRING_DUTIES, isDutyId, type DutyId } from './deadlines/rules';

export { BRIEFING_METRICS, BRIEFING_METRIC_ZH, type BriefingMetric } from './briefing-metrics';

/** Settings of one duty's schedule (DUTY_SCHEDULES configuration). */
export const dutyScheduleSettingsSchema = z
  .object({
    /** false: no schedule is created (an existing one is left alone; pause it through the API). */
    enabled: z.boolean().optional(),
    /** Only for duties whose cadence the mechanism leaves open ("定期"). */
    cadence: z.enum(['monthly', 'quarterly', 'annual']).optional(),
    /** Joint enforcement: reminder days of the month while nothing is planned (default 10 and 20). */
    reminderDays: z.array(z.number().int().min(1).max(28)).max(10).optional(),
    /** Training: 'MM-DD' by which a session must be held (default 12-31). */
    deadline: z
      .string()
      .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, '格式应为 MM-DD')
      .optional(),
    /** Joint meetings: default days a resolution has (default 30). */
    resolutionDays: z.number().int().min(1).max(365).optional(),
    /** Supervision sweep: days a criminal-track case may go untransferred before it is 有案不移 (default 30). */
    notTransferredDays: z.number().int().min(1).max(365).optional(),
    /** Supervision sweep: days without any recorded activity before an investigation is 立而不侦 (default 60). */
    idleInvestigationDays: z.number().int().min(1).max(365).optional(),
  })
  .strict();

/** Settings that only one duty reads: given for another duty they would be silently ignored. */
const SETTING_OWNER: Partial<Record<keyof DutyScheduleSettings, DutyId>> = {
  notTransferredDays: 'spp.transfer-supervision-sweep',
  idleInvestigationDays: 'spp.transfer-supervision-sweep',
};
export type DutyScheduleSettings = z.infer<typeof dutyScheduleSettingsSchema>;

export const dutySchedulesSchema = z.record(z.string(), z.unknown()).transform((value, ctx) => {
  const out: Record<string, DutyScheduleSettings> = {};
  for (const [id, raw] of Object.entries(value)) {
    if (!isDutyId(id)) {
      ctx.addIssue({ code: 'custom', path: [id], message: `未知的定期职责：“${id}”（可选：${DUTY_IDS.join('、')}）` });
      continue;
    }
    const r = dutyScheduleSettingsSchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues)
        ctx.addIssue({ code: 'custom', path: [id, ...issue.path], message: issue.message });
      continue;
    }
    const foreign = (Object.keys(r.data) as (keyof DutyScheduleSettings)[]).filter(
      (k) => SETTING_OWNER[k] && SETTING_OWNER[k] !== id,
    );
    if (foreign.length) {
      for (const k of foreign)
        ctx.addIssue({ code: 'custom', path: [id, k], message: `${k} 只适用于 ${SETTING_OWNER[k]}` });
      continue;
    }
    if (r.data.cadence && !RECURRING_DUTIES[id].configurable) {
      ctx.addIssue({
        code: 'custom',
        path: [id, 'cadence'],
        message: `${id} 的周期由制度规定（${RECURRING_DUTIES[id].cadence}），不能修改`,
      });
      continue;
    }
    out[id] = r.data;
  }
  return out;
});
