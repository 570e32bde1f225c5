import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/temporal';

/**
 * Committed histories (tests/fixtures/*.history.json, recorded with RECORD_FIXTURES=1) must replay through the
 * current workflow code: a change that would break a running case fails here. See README, 修改流程代码的规则.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const files = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.history.json')).sort() : [];

describe('replay of committed case histories', () => {
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
      ]),
    );
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, history, file.replace('.history.json', ''));
  });
});
