import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from '../libs/engine/commands/command.js';
import { mayReadBoardRow } from '../libs/workflows/access/boards.js';
import { parsePlanFile, PlanFileError } from '../libs/workflows/plan/plan-file.js';

/** Issue 13: boards are a unit's own unless the plan file makes them public inside the county. */
describe('who reads a board row', () => {
  const text = readFileSync(join(process.cwd(), 'plans', 'ye-county-2023.yaml'), 'utf8');
  const reporter: Principal = { userId: 'u1', roles: ['reporter'], unitId: 'sthjj' };
  const office: Principal = { userId: 'u2', roles: ['office'] };

  it('by default: a unit’s people their own unit’s rows, county roles every row', () => {
    const plan = parsePlanFile(text);
    expect(plan.boards).toBeUndefined();
    expect(mayReadBoardRow(reporter, plan, 'sthjj')).toBe(true);
    expect(mayReadBoardRow(reporter, plan, 'fgw')).toBe(false);
    expect(mayReadBoardRow(office, plan, 'fgw')).toBe(true);
  });

  it('with boards.publicInCounty: true in the plan file, everyone every row', () => {
    const plan = parsePlanFile(`${text}\nboards:\n  publicInCounty: true\n`);
    expect(plan.boards).toEqual({ publicInCounty: true });
    expect(mayReadBoardRow(reporter, plan, 'fgw')).toBe(true);
    expect(parsePlanFile(`${text}\nboards:\n  publicInCounty: false\n`).boards).toEqual({ publicInCounty: false });
  });

  it('refuses a flag that is not true or false, and unknown keys', () => {
    expect(() => parsePlanFile(`${text}\nboards:\n  publicInCounty: yes please\n`)).toThrow(PlanFileError);
    expect(() => parsePlanFile(`${text}\nboards:\n  public: true\n`)).toThrow(PlanFileError);
  });
});
