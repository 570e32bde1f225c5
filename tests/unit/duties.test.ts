import { ConfigError, loadConfig } from '../../config';
import { plannedSchedules, specFor } from '../../infra/schedules';
import { DUTY_IDS } from '../../domain/deadlines';
import { dutyWorkflowId, scheduleIdOf } from '../../workflows/definitions/duties';

describe('recurring duty schedules: configuration and ids', () => {
  it('names schedules after the §D rule ids and period workflows after duty and period', () => {
    expect(DUTY_IDS.map(scheduleIdOf)).toEqual([
      'duty-joint-enforcement-monthly',
      'duty-training-annual',
      'duty-joint-meeting-periodic',
      'duty-info-briefing-periodic',
      'duty-spp-transfer-supervision-sweep',
    ]);
    expect(dutyWorkflowId('joint-enforcement.monthly', '2026-12')).toBe('duty-joint-enforcement-2026-12');
    expect(dutyWorkflowId('joint-meeting.periodic', '2027-Q1')).toBe('duty-joint-meeting-2027-Q1');
    expect(dutyWorkflowId('training.annual', '2027')).toBe('duty-training-2027');
  });

  it('plans one schedule per duty that has a period workflow, with the default cadences and settings', () => {
    const planned = plannedSchedules(loadConfig({}));
    expect(planned.map((p) => [p.scheduleId, p.input.cadence, p.enabled])).toEqual([
      ['duty-joint-enforcement-monthly', 'monthly', true],
      ['duty-training-annual', 'annual', true],
      ['duty-joint-meeting-periodic', 'quarterly', true],
      ['duty-info-briefing-periodic', 'monthly', true],
      ['duty-spp-transfer-supervision-sweep', 'monthly', true],
    ]);
    expect(planned[0].input.settings).toEqual({ warningWorkdays: 3, escalationWorkdays: 3 });
  });

  it('takes cadence and settings from DUTY_SCHEDULES, and the cadence also from DEADLINE_POLICY_OVERRIDES', () => {
    const c = loadConfig({
      DUTY_SCHEDULES:
        '{"joint-meeting.periodic":{"cadence":"monthly","resolutionDays":20},"joint-enforcement.monthly":{"reminderDays":[8,18]},"training.annual":{"deadline":"11-30"},"info-briefing.periodic":{"enabled":false}}',
    });
    const byId = Object.fromEntries(plannedSchedules(c).map((p) => [p.dutyId, p]));
    expect(byId['joint-meeting.periodic'].input).toMatchObject({
      cadence: 'monthly',
      configuredCadence: 'monthly',
      settings: { resolutionDays: 20 },
    });
    expect(byId['joint-enforcement.monthly'].input.settings).toMatchObject({ reminderDays: [8, 18] });
    expect(byId['training.annual'].input.settings).toMatchObject({ deadline: '11-30' });
    expect(byId['info-briefing.periodic'].enabled).toBe(false);
    const o = loadConfig({
      DEADLINE_POLICY_OVERRIDES: '{"info-briefing.periodic":{"cadence":"quarterly","warningWorkdays":1}}',
    });
    expect(plannedSchedules(o).find((p) => p.dutyId === 'info-briefing.periodic')!.input).toMatchObject({
      cadence: 'quarterly',
      settings: { warningWorkdays: 1 },
    });
  });

  it("passes the sweep's days (DUTY_SCHEDULES notTransferredDays, idleInvestigationDays) to its schedule, none by default", () => {
    const sweepOf = (c: ReturnType<typeof loadConfig>) =>
      plannedSchedules(c).find((p) => p.dutyId === 'spp.transfer-supervision-sweep')!.input;
    expect(sweepOf(loadConfig({})).settings).toEqual({ warningWorkdays: 3, escalationWorkdays: 3 });
    const c = loadConfig({
      DUTY_SCHEDULES:
        '{"spp.transfer-supervision-sweep":{"cadence":"quarterly","notTransferredDays":20,"idleInvestigationDays":45}}',
    });
    expect(sweepOf(c)).toMatchObject({
      cadence: 'quarterly',
      settings: { notTransferredDays: 20, idleInvestigationDays: 45 },
    });
    expect(
      sweepOf(loadConfig({ DUTY_SCHEDULES: '{"spp.transfer-supervision-sweep":{"idleInvestigationDays":90}}' }))
        .settings,
    ).toEqual({ idleInvestigationDays: 90, warningWorkdays: 3, escalationWorkdays: 3 });
  });

  it.each([
    ['[1,2]', ''],
    ['{"no.such-duty":{}}', '未知的定期职责'],
    ['{"joint-enforcement.monthly":{"cadence":"quarterly"}}', '制度规定'],
    ['{"training.annual":{"cadence":"monthly"}}', '制度规定'],
    ['{"joint-enforcement.monthly":{"reminderDays":[31]}}', ''],
    ['{"training.annual":{"deadline":"13-01"}}', 'MM-DD'],
    ['{"joint-meeting.periodic":{"colour":"red"}}', ''],
    ['{"spp.transfer-supervision-sweep":{"notTransferredDays":0}}', 'notTransferredDays'],
    ['{"spp.transfer-supervision-sweep":{"idleInvestigationDays":"60"}}', 'idleInvestigationDays'],
    ['{"spp.transfer-supervision-sweep":{"notTransferredDays":400}}', 'notTransferredDays'],
    ['{"joint-enforcement.monthly":{"notTransferredDays":20}}', '只适用于 spp.transfer-supervision-sweep'],
  ])('refuses DUTY_SCHEDULES=%s naming the variable', (value, text) => {
    let error: unknown;
    try {
      loadConfig({ DUTY_SCHEDULES: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('DUTY_SCHEDULES');
    expect((error as Error).message).toContain(text);
  });

  it('runs at 00:05 China time on the first day of each period', () => {
    expect(specFor('monthly')).toEqual({
      calendars: [{ dayOfMonth: 1, hour: 0, minute: 5 }],
      timezone: 'Asia/Shanghai',
    });
    expect(specFor('quarterly').calendars![0]).toMatchObject({ month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'] });
    expect(specFor('annual').calendars![0]).toMatchObject({ month: ['JANUARY'], dayOfMonth: 1 });
  });
});
