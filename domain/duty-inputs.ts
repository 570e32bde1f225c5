/**
 * Input schemas of the recurring duties' and supervision items' Updates. They live in domain/ (not beside their
 * workflows) so the worker shares one copy between all workflows (workflows/shared-modules.ts): zod schemas are the
 * bulk of a workflow's own heap when each workflow builds its own.
 */
import { z } from 'zod';
import { CLOSE_RESULTS, OPINION_KINDS } from './supervision';
import { TRAINING_FORMATS, TRAINING_ORGANISERS } from './vocabulary';

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

// The acting user of a duty Update (workflows/duties/common.ts)
export const actorSchema = z.object({
  userId: z.string().min(1),
  agency: z.string().min(1),
  role: z.string().min(1),
  displayName: z.string().optional(),
});

// Joint enforcement (workflows/duties/joint-enforcement.ts)
const names = z.array(z.string().trim().min(1).max(50)).min(1, '至少一人').max(50);
export const planOperationSchema = z
  .object({
    date: dateSchema.describe('行动日期'),
    titleZh: z.string().trim().min(1).max(200).optional().describe('行动名称'),
    places: z.array(z.string().trim().min(1).max(200)).min(1, '至少一个地点').max(50).describe('检查地点或对象'),
    targets: z.array(z.string().trim().min(1).max(200)).max(50).default([]).describe('检查对象（企业等）'),
    members: z.object({ eeb: names, psb: names }).describe('参加人员：生态环境局与公安局双方'),
  })
  .strict();
export const cancelOperationSchema = z
  .object({ operationId: z.string().min(1).max(20), reason: z.string().trim().min(1).max(500) })
  .strict();
export const recordOutcomeSchema = z
  .object({
    operationId: z.string().min(1).max(20),
    sitesInspected: z.number().int().min(0).max(100000),
    violationsFound: z.number().int().min(0).max(100000),
    summary: z.string().max(5000).optional(),
    leads: z
      .array(z.object({ description: z.string().trim().min(1).max(2000) }).strict())
      .max(100)
      .default([]),
    attachments: z
      .array(z.object({ name: z.string().trim().min(1).max(200), ref: z.string().trim().min(1).max(500) }).strict())
      .max(100)
      .default([]),
  })
  .strict();
export const openCaseFromLeadSchema = z
  .object({
    operationId: z.string().min(1).max(20),
    leadIndex: z.number().int().min(0).max(99),
    title: z.string().trim().min(1).max(200),
    track: z.enum(['criminal', 'detention', 'administrative']),
    summary: z.string().max(5000).optional(),
    confidentiality: z.enum(['public', 'internal', 'confidential']).default('internal'),
    documentNumber: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

// Training (workflows/duties/training.ts)
export const planTrainingSchema = z
  .object({
    titleZh: z.string().trim().min(1).max(200),
    date: dateSchema,
    organiser: z.enum(TRAINING_ORGANISERS),
    format: z.enum(TRAINING_FORMATS).default('training'),
  })
  .strict();
export const recordTrainingSchema = z
  .object({
    sessionId: z.string().min(1).max(20),
    attendance: z
      .object({
        eeb: z.number().int().min(0).max(10000),
        psb: z.number().int().min(0).max(10000),
        spp: z.number().int().min(0).max(10000),
      })
      .strict(),
    materials: z
      .array(z.object({ name: z.string().trim().min(1).max(200), ref: z.string().trim().min(1).max(500) }).strict())
      .max(100)
      .default([]),
    summary: z.string().max(5000).optional(),
  })
  .strict();
export const cancelTrainingSchema = z
  .object({ sessionId: z.string().min(1).max(20), reason: z.string().trim().min(1).max(500) })
  .strict();

// Joint meetings (workflows/duties/joint-meeting.ts)
export const scheduleMeetingSchema = z
  .object({ date: dateSchema, place: z.string().trim().min(1).max(200).optional() })
  .strict();
export const addAgendaItemSchema = z.object({ titleZh: z.string().trim().min(1).max(500) }).strict();
export const recordMinutesSchema = z
  .object({
    heldOn: dateSchema,
    attendees: z
      .object({
        eeb: z.array(z.string().trim().min(1).max(50)).min(1),
        psb: z.array(z.string().trim().min(1).max(50)).min(1),
        spp: z.array(z.string().trim().min(1).max(50)).min(1),
        workingGroup: z.array(z.string().trim().min(1).max(50)).default([]),
      })
      .strict(),
    summary: z.string().trim().min(1).max(20000),
    resolutions: z
      .array(
        z
          .object({
            titleZh: z.string().trim().min(1).max(500),
            ownerAgency: z.enum(['eeb', 'psb', 'spp', 'workingGroup']),
            dueDate: dateSchema.optional(),
          })
          .strict(),
      )
      .max(100)
      .default([]),
  })
  .strict();
export const completeResolutionSchema = z
  .object({ resolutionId: z.string().min(1).max(20), note: z.string().trim().min(1).max(2000) })
  .strict();

// Supervision items (workflows/supervision.ts)
export const opinionSchema = z.object({
  opinionKind: z.enum(OPINION_KINDS),
  text: z.string().trim().min(1, '请填写检察意见内容').max(4000),
});
export const answerSchema = z.object({ text: z.string().trim().min(1, '请填写答复内容').max(4000) });
export const closeSchema = z.object({ result: z.enum(CLOSE_RESULTS), note: z.string().trim().max(4000).optional() });
