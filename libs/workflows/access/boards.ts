import type { Principal } from '../../engine/commands/command.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { mayReadUnit } from './access.js';

/**
 * Whose rows of the compliance and supervision boards a principal reads: every unit's for the
 * county-level roles, or for everyone when the plan file says `boards: { publicInCounty: true }`;
 * otherwise a unit's people read their own unit's rows only (issue 13).
 */
export function mayReadBoardRow(principal: Principal, plan: Pick<PlanDefinition, 'boards'>, unitId: string): boolean {
  return plan.boards?.publicInCounty === true || mayReadUnit(principal, unitId);
}
