import * as production from '../../workflows';
import * as bench from '../../bench/workflows';
import { CASE_WORKFLOW } from '../../workflows/definitions/case';

/**
 * The worker bundles workflows/index.ts: only the platform's workflows. The bench's reference workflow lives in the
 * bench's own entry (bench/workflows.ts), which carries every production workflow beside it.
 */
describe('workflow entries', () => {
  it('the production entry does not ship the bench workflow', () => {
    expect(Object.keys(production)).not.toContain('benchEmptyWorkflow');
    expect(Object.keys(production)).toContain('caseWorkflow');
  });

  it('the API starts cases by the type name the worker registers', () => {
    expect(production.caseWorkflow.name).toBe(CASE_WORKFLOW);
  });

  it('the bench entry has every production workflow plus its empty workflow', () => {
    expect(Object.keys(bench).sort()).toEqual([...Object.keys(production), 'benchEmptyWorkflow'].sort());
    expect(typeof bench.benchEmptyWorkflow).toBe('function');
  });
});
