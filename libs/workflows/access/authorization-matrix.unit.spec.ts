import { ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { authorize, PERMISSIONS, ROLES, SYSTEM, UNIT_SCOPED_ROLES, type Actor, type PermissionName } from './access.js';

/**
 * The authorisation matrix, written out by hand. Every permission × every role (and the system) ×
 * the actor's own unit, another unit, no unit is checked against access.ts. A change to access.ts
 * that is not also made here fails this test: who may do what changes only on purpose.
 *
 *   Y    allowed, whatever the unit
 *   own  allowed only for the actor's own unit (reporter and head are unit-scoped)
 *   -    refused
 *
 * The end-to-end matrix (every command over HTTP × role × own/other unit) grows from this once
 * every workflow exists.
 */
const ACTORS = ['reporter', 'head', 'office', 'supervisor', 'leader', 'auditor', 'admin', 'system'] as const satisfies readonly Actor[];
type Cell = 'Y' | 'own' | '-';

// prettier-ignore
const MATRIX: [PermissionName, ...Cell[]][] = [
  //                         reporter head   office supervisor leader auditor admin  system
  ['plan.publish',           '-',     '-',   'Y',   '-',       '-',   '-',    'Y',   'Y'],
  ['plan.revise',            '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['report.open',            '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['report.draft',           'own',   '-',   '-',   '-',       '-',   '-',    '-',   '-'],
  ['report.submit',          'own',   '-',   '-',   '-',       '-',   '-',    '-',   '-'],
  ['report.sign',            '-',     'own', '-',   '-',       '-',   '-',    '-',   '-'],
  ['report.receive',         '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['report.return',          '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  // Issue 12: the office enters a unit's paper report on its behalf (naming the unit), and an
  // administrator corrects a received figure with a reason, like the office (the design brief).
  ['report.enterOnBehalf',   '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['report.correct',         '-',     '-',   'Y',   '-',       '-',   '-',    'Y',   '-'],
  ['report.deadline',        '-',     '-',   '-',   '-',       '-',   '-',    '-',   'Y'],
  ['figures.record',         '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['scoring.revise',         '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['standing.recompute',     '-',     '-',   'Y',   '-',       '-',   '-',    '-',   'Y'],
  ['assessment.prepare',     '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['assessment.meeting',     '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['assessment.publish',     '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['supervision.open',       '-',     '-',   '-',   'Y',       '-',   '-',    '-',   'Y'],
  // Issue 12: only the bureau opens a case on a ground (行动不力、工作滞后、成效不明显), never the system.
  ['supervision.open-on-ground', '-',  '-',   '-',   'Y',       '-',   '-',    '-',   '-'],
  ['supervision.respond',    'own',   'own', '-',   '-',       '-',   '-',    '-',   '-'],
  ['supervision.review',     '-',     '-',   '-',   'Y',       '-',   '-',    '-',   '-'],
  ['supervision.deadline',   '-',     '-',   '-',   '-',       '-',   '-',    '-',   'Y'],
  ['rewards.propose',        '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['rewards.approve',        '-',     '-',   '-',   '-',       'Y',   '-',    '-',   '-'],
  ['accounts.manage',        '-',     '-',   '-',   '-',       '-',   '-',    'Y',   '-'],
  ['audit.seal',             '-',     '-',   'Y',   '-',       '-',   '-',    'Y',   'Y'],
  ['demo.play',              '-',     '-',   '-',   '-',       '-',   '-',    'Y',   'Y'],
  ['documents.issue',        '-',     '-',   'Y',   '-',       '-',   '-',    '-',   '-'],
  ['documents.issueSupervision', '-', '-',   '-',   'Y',       '-',   '-',    '-',   '-'],
  // Issue 16: attachments, by those who handle the report, the case, the decision.
  ['attachment.report',      'own',   'own', 'Y',   '-',       '-',   '-',    '-',   '-'],
  ['attachment.case',        'own',   'own', '-',   'Y',       '-',   '-',    '-',   '-'],
  ['attachment.decision',    '-',     '-',   'Y',   '-',       'Y',   '-',    '-',   '-'],
];

const OWN = 'fgw';
const OTHER = 'gxj';
const isScoped = (a: Actor) => (UNIT_SCOPED_ROLES as readonly string[]).includes(a);
const principalOf = (actor: Actor): Principal => ({ userId: `${actor}-1`, roles: [actor], ...(isScoped(actor) ? { unitId: OWN } : {}) });

function outcome(actor: Actor, permission: PermissionName, unitId: string | undefined): Actor | 'refused' {
  try {
    return authorize(principalOf(actor), permission, unitId);
  } catch (err) {
    if (err instanceof ForbiddenError) return 'refused';
    throw err;
  }
}

describe('the authorisation matrix', () => {
  it('has a row for every permission in access.ts, and no other', () => {
    expect(MATRIX.map(([p]) => p).sort()).toEqual(Object.keys(PERMISSIONS).sort());
    expect(new Set(MATRIX.map(([p]) => p)).size).toBe(MATRIX.length);
  });

  it('covers every role and the system, and only reporter and head are unit-scoped', () => {
    expect([...ACTORS].sort()).toEqual([...ROLES, SYSTEM].sort());
    expect([...UNIT_SCOPED_ROLES].sort()).toEqual(['head', 'reporter']);
    for (const [permission, ...cells] of MATRIX) {
      expect({ permission, cells: cells.length }).toEqual({ permission, cells: ACTORS.length });
      cells.forEach((cell, i) => {
        // A unit-scoped role never acts without its unit; a county-level role has no unit to be scoped to.
        if (isScoped(ACTORS[i]!)) expect({ permission, actor: ACTORS[i], cell }).not.toEqual({ permission, actor: ACTORS[i], cell: 'Y' });
        else expect({ permission, actor: ACTORS[i], cell }).not.toEqual({ permission, actor: ACTORS[i], cell: 'own' });
      });
    }
  });

  describe.each(MATRIX.map(([permission, ...cells]) => ({ permission, cells })))('$permission', ({ permission, cells }) => {
    it.each(ACTORS.map((actor, i) => ({ actor, cell: cells[i]! })))('$actor: $cell', ({ actor, cell }) => {
      const expected = (allowed: boolean) => (allowed ? actor : 'refused');
      expect({ unit: 'own', got: outcome(actor, permission, OWN) }).toEqual({ unit: 'own', got: expected(cell !== '-') });
      expect({ unit: 'other', got: outcome(actor, permission, OTHER) }).toEqual({ unit: 'other', got: expected(cell === 'Y') });
      expect({ unit: 'none', got: outcome(actor, permission, undefined) }).toEqual({ unit: 'none', got: expected(cell === 'Y') });
    });
  });

  it('a user holding several roles acts in the first role that is allowed; the auditor’s role never adds anything', () => {
    for (const [permission, ...cells] of MATRIX) {
      const allowed = ACTORS.filter((a, i) => cells[i] === 'Y' && a !== SYSTEM);
      for (const role of allowed) {
        expect(authorize({ userId: 'u', roles: ['auditor', role] }, permission)).toBe(role);
      }
    }
    // A reporter of fgw who is also a supervisor: a supervisor anywhere, a reporter only for fgw.
    const both: Principal = { userId: 'u', roles: ['reporter', 'supervisor'], unitId: OWN };
    expect(authorize(both, 'supervision.review', OTHER)).toBe('supervisor');
    expect(authorize(both, 'report.submit', OWN)).toBe('reporter');
    expect(() => authorize(both, 'report.submit', OTHER)).toThrow(ForbiddenError);
  });
});
