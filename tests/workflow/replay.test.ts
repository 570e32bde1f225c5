import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/temporal';
import { testDataConverter } from '../helpers/keys';
import { payloadOwner } from '../../infra/data-converter';

/**
 * Committed histories (tests/fixtures/*.history.json, recorded with RECORD_FIXTURES=1) must replay through the
 * current workflow code: a change that would break a running case fails here. See docs/development.md, "Changing
 * workflow code".
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const files = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.history.json')).sort() : [];

describe('replay of committed workflow histories', () => {
  it('has fixtures for every recorded stage of a case', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'criminal-lead-to-judgment.history.json',
        'rejected-updates.history.json',
        'not-filed-supervision-filed.history.json',
        'filing-decision-escalation.history.json',
        'calendar-retimed.history.json',
        'continued-as-new.history.json',
        'detention-track.history.json',
        'reverse-transfer.history.json',
        'suspension.history.json',
        // registration through local activities (patch 'registration-local-activities')
        'registration-local-activities.history.json',
        // steps and clock rungs recorded through local activities (patch 'case-records-local-activities')
        'case-records-local-activities.history.json',
        // a step whose record the database refused: state restored, the next step taken (patch 'record-refusal-restores')
        'record-refusal-restores.history.json',
        // a duty action whose record was refused: state restored, the next action taken (same patch)
        'duty-record-refusal-restores.history.json',
        // each start and update's signed actor verified by a local activity, a forged one refused (patch 'signed-actors'),
        // recorded encrypted with the test payload key (tests/helpers/keys.ts)
        'signed-actors.history.json',
      ]),
    );
  });

  it('has fixtures for the recurring duties and the daily digest', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        // jointEnforcementWorkflow: plan, cancel, re-plan, outcome, a case from a lead (child workflow), done
        'duty-joint-enforcement-done.history.json',
        // jointEnforcementWorkflow: reminders, warning, non-compliance, working-group escalation
        'duty-joint-enforcement-escalated.history.json',
        // trainingWorkflow: a year with a session, and a year without (quarterly reminders up to escalation)
        'duty-training-held.history.json',
        'duty-training-escalated.history.json',
        // jointMeetingWorkflow: agenda, schedule, minutes, one resolution done and one escalated
        'duty-joint-meeting-resolution-escalated.history.json',
        // briefingWorkflow: statistics, stored and mailed
        'duty-briefing.history.json',
        // supervisionItemWorkflow: opinion, answer, closed; and an answer clock escalated (超期 → 督办)
        'supervision-item-lifecycle.history.json',
        'supervision-item-escalated.history.json',
        // supervisionSweepWorkflow: items started as children (before the patch) and by an activity (after it)
        'supervision-sweep-children.history.json',
        'supervision-sweep-items-by-activity.history.json',
        // dailyDigestWorkflow: the digest activity retried after SMTP refused it
        'daily-digest-retried.history.json',
      ]),
    );
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')));
    // Encrypted histories name their workflow in the payloads (the signed actors are checked against it).
    const [input] = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const workflowId = (input && payloadOwner(input)) ?? file.replace('.history.json', '');
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter(), replayName: file }, history, workflowId);
  });
});
