import { WORKFLOWS } from './workflows.js';
import { WORKFLOW_UPCASTERS } from './upcasters.js';

describe('the upcasters a store opened without the application uses', () => {
  it('are every workflow’s upcasters', () => {
    const declared = Object.assign({}, ...WORKFLOWS.map((w) => w.upcasters ?? {})) as Record<string, unknown>;
    expect(Object.keys(declared).length).toBeGreaterThan(0);
    expect(WORKFLOW_UPCASTERS).toEqual(declared);
  });
});
