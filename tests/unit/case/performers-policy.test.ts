import { STEPS } from '../../../domain/case';
import { PERMISSIONS, PRINCIPALS } from '../../../domain/policy';

/** A step's performers must be principals the access policy lets take case steps (case.act), or the step is a dead letter. */
describe('step performers and the access policy', () => {
  it.each(Object.entries(STEPS).map(([name, def]) => [name, def] as const))(
    '%s: every performer may use case.act',
    (_name, def) => {
      for (const performer of def.performers) {
        const principals = PRINCIPALS.filter(
          (p) =>
            p.agency === performer.agency &&
            (!performer.roles || (performer.roles as readonly string[]).includes(p.role)),
        );
        expect({ performer, allowed: principals.some((p) => PERMISSIONS['case.act'].allows(p)) }).toEqual({
          performer,
          allowed: true,
        });
      }
    },
  );

  it('joint supervision (2017 Measures Art 31) is taken by the three agencies, not the working group', () => {
    expect(STEPS.jointSupervision.performers.map((p) => p.agency).sort()).toEqual(['eeb', 'psb', 'spp']);
  });
});
