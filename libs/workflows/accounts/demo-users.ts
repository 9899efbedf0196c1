import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import type { Engine } from '../../engine/nest/engine.js';
import { ROLE_LABELS, type Role } from '../access/access.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { Accounts } from './accounts.service.js';

export interface DemoUser {
  username: string;
  name: string;
  role: Role;
  unitId?: string;
  /** One-time: it must be changed at first sign-in. Print it once; it is stored only as a hash. */
  password: string;
}

/** The demo's units, where the plan has them (Ye County 2023 does); otherwise the plan's first three. */
export const DEMO_UNITS = ['fgw', 'gxj', 'sthjj'];

/**
 * Users to try the system with, outside production: one per county-level role and a reporter and
 * a head for three units, each with a random one-time password. Does nothing (returns []) once any
 * user exists, so it is safe to call at every start; the caller prints what it returns, once.
 * The administrator is created as the command line would create the first one; the others by
 * that administrator, so the record reads as it would in real use.
 */
export async function ensureDemoUsers(engine: Engine, plan: PlanDefinition): Promise<DemoUser[]> {
  const accounts = await Accounts.forEngine(engine);
  if (await accounts.bootstrapped()) return [];

  const out: DemoUser[] = [];
  let admin: Principal;
  try {
    const created = await accounts.bootstrapAdmin({ username: 'admin', name: ROLE_LABELS.admin.zh, roles: ['admin'] });
    admin = { userId: created.userId, name: ROLE_LABELS.admin.zh, roles: ['admin'] };
    out.push({ username: created.username, name: ROLE_LABELS.admin.zh, role: 'admin', password: created.oneTimePassword });
  } catch (err) {
    // Another process got there first (two instances starting at once): its users stand.
    if (err instanceof ForbiddenError || (err instanceof DomainError && err.code === 'username-taken')) return [];
    throw err;
  }

  const add = async (username: string, name: string, role: Role, unitId?: string) => {
    const created = await accounts.createUser({ username, name, roles: [role], ...(unitId ? { unitId } : {}) }, accounts.metaFor(admin));
    out.push({ username: created.username, name, role, ...(unitId ? { unitId } : {}), password: created.oneTimePassword! });
  };
  for (const role of ['office', 'leader', 'supervisor', 'auditor'] as const) await add(role, ROLE_LABELS[role].zh, role);
  const units = [...DEMO_UNITS.map((id) => plan.units.find((u) => u.id === id)), ...plan.units].filter((u) => u !== undefined);
  for (const unit of [...new Map(units.map((u) => [u.id, u])).values()].slice(0, 3)) {
    for (const role of ['reporter', 'head'] as const) await add(`${unit.id}-${role}`, `${unit.shortName}${ROLE_LABELS[role].zh}`, role, unit.id);
  }
  return out;
}
