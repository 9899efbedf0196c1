import type { Principal } from '../../engine/commands/command.js';
import { ForbiddenError } from '../../engine/commands/command.js';
import { authorize } from './access.js';

const p = (roles: string[], unitId?: string): Principal => ({ userId: 'u', roles, ...(unitId ? { unitId } : {}) });

describe('authorize', () => {
  it('returns the role the principal acts in', () => {
    expect(authorize(p(['office']), 'report.receive')).toBe('office');
    expect(authorize(p(['auditor', 'office']), 'report.receive')).toBe('office');
  });
  it('a unit-scoped role counts only for its own unit', () => {
    expect(authorize(p(['reporter'], 'fgw'), 'report.submit', 'fgw')).toBe('reporter');
    expect(() => authorize(p(['reporter'], 'fgw'), 'report.submit', 'gxj')).toThrow(ForbiddenError);
    expect(() => authorize(p(['reporter']), 'report.submit', 'gxj')).toThrow(/may not submit the monthly report of one’s unit for unit gxj/);
  });
  it('the auditor and a principal without roles can do nothing', () => {
    expect(() => authorize(p(['auditor']), 'report.correct')).toThrow(ForbiddenError);
    expect(() => authorize(p([]), 'plan.publish')).toThrow(/no role/);
  });
  it('timers act as the system, which no person holds', () => {
    expect(authorize(p(['system']), 'report.deadline')).toBe('system');
    expect(() => authorize(p(['office', 'admin']), 'report.deadline')).toThrow(ForbiddenError);
  });
});
