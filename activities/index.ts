import type { Db } from '../db/client';
import type { Mailer } from './mailer';
import { guardActivities } from './guard';
import { createDeliveryActivities } from './delivery';
import { createRecordActivities } from './records';
import { createDutyActivities } from './duties';
import { createInformationActivities } from './information';
import { createImportActivities } from './imports';
import { createReportActivities } from './reports';
import { createDigestActivities } from './digest';
import { createReleaseActivities } from './releases';
import { createSupervisionActivities } from './supervision';
import { createActorClaimActivities } from './actor-claims';
import { createCalendarActivities } from './calendars';
import type { KeyRing } from '../infra/keys';
import type { PolicyInForce } from '../config';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  /** REPORT_FONT_PATH: the CJK font of PDF reports and charts (default: fonts-noto-cjk's place). */
  reportFontPath?: string;
  /** ACTOR_KEYS: verifies the API's actor signatures (workflows/interceptors.ts). */
  actorKeys?: KeyRing;
  /** DEADLINE_POLICY_OVERRIDES (config policyInForce) for the workflows activities start. */
  policy?: PolicyInForce;
}

/** All activities of the worker, built from injected dependencies (real or test). */
export function createActivities(deps: ActivityDeps) {
  return guardActivities(deps.db, {
    ...createRecordActivities(deps),
    ...createDeliveryActivities(deps),
    ...createDutyActivities(deps),
    ...createInformationActivities(deps),
    ...createImportActivities(deps),
    ...createReportActivities(deps),
    ...createDigestActivities(deps),
    ...createReleaseActivities(deps),
    ...createSupervisionActivities(deps),
    ...createActorClaimActivities(deps),
    ...createCalendarActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
