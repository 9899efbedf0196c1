import type { INestApplicationContext } from '@nestjs/common';
import type { Principal } from '../../engine/commands/command.js';
import type { Engine } from '../../engine/nest/engine.js';
import { ROLE_LABELS, type Role } from '../access/access.js';
import { CLI_PRINCIPAL } from '../accounts/accounts.decider.js';
import { ACCOUNTS_PROJECTION } from '../accounts/accounts.projection.js';
import { Accounts, principalOfUser } from '../accounts/accounts.service.js';
import { ensureDemoUsers, type DemoUser } from '../accounts/demo-users.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { DEMO_CORRELATION_PREFIX } from './demo.events.js';

/** The people who act in the demo year, as the principals their accounts give them. */
export interface DemoPeople {
  office: Principal;
  supervisor: Principal;
  leader: Principal;
  /** Per responsible unit: its reporter (who submits) and its head (who signs: never the same person). */
  units: Map<string, { reporter: Principal; head: Principal }>;
}

const COUNTY_ROLES = ['office', 'supervisor', 'leader'] as const;

/**
 * The demo's accounts: the demo users of `ensureDemoUsers` when no user exists yet, then a reporter
 * and a head for every responsible unit of the plan (`<unit>-reporter`, `<unit>-head`), so every
 * step of the year is done by the account whose role it is. An account that exists already with
 * the right role is used as it is; a username taken with another role is refused, naming it.
 *
 * Accounts are real records of this installation, so they are created at the real time (the
 * engine's clock), not in the simulated year. Returns every account created, with its one-time
 * password, to print once.
 */
export async function ensureDemoAccounts(app: INestApplicationContext, engine: Engine, plan: PlanDefinition, seed: number): Promise<{ people: DemoPeople; created: DemoUser[] }> {
  const accounts = app.get(Accounts);
  const created = await ensureDemoUsers(engine, plan);
  await engine.runner.catchUp();
  // The demo administrator made just now adds the rest, as an administrator would; otherwise the
  // operator running the command line does (users exist that the demo did not make).
  const admin = created.some((u) => u.role === 'admin') ? await accounts.userByUsername('admin') : undefined;
  const creator: Principal = admin ? principalOfUser(admin) : CLI_PRINCIPAL;

  const responsible = new Set(plan.indicators.flatMap((i) => i.units));
  const wanted: { username: string; name: string; role: Role; unitId?: string }[] = [
    ...COUNTY_ROLES.map((role) => ({ username: role, name: ROLE_LABELS[role].zh, role })),
    ...plan.units
      .filter((u) => responsible.has(u.id))
      .flatMap((u) => (['reporter', 'head'] as const).map((role) => ({ username: `${u.id}-${role}`, name: `${u.shortName}${ROLE_LABELS[role].zh}`, role, unitId: u.id }))),
  ];

  const byUsername = new Map<string, Principal>();
  for (const w of wanted) {
    let user = await accounts.userByUsername(w.username);
    if (!user) {
      const result = await accounts.createUser(
        { username: w.username, name: w.name, roles: [w.role], ...(w.unitId ? { unitId: w.unitId } : {}) },
        {
          commandId: `${DEMO_CORRELATION_PREFIX}${seed}-user-${w.username}`,
          correlationId: `${DEMO_CORRELATION_PREFIX}${seed}-accounts`,
          actor: creator,
          now: engine.clock.now().toISOString(),
          reason: 'demo user for the synthetic demo year (演示数据 / synthetic demo data)',
        },
      );
      await engine.waitFor(result.result.position, [ACCOUNTS_PROJECTION]);
      user = await accounts.user(result.userId);
      if (result.oneTimePassword) created.push({ username: w.username, name: w.name, role: w.role, ...(w.unitId ? { unitId: w.unitId } : {}), password: result.oneTimePassword });
    }
    if (!user || user.disabled || !user.roles.includes(w.role) || (w.unitId !== undefined && user.unitId !== w.unitId)) {
      throw new Error(
        `the demo needs the user "${w.username}" as ${w.role}${w.unitId ? ` of ${w.unitId}` : ''}, but that username is ${user?.disabled ? 'disabled' : `taken with roles ${user?.roles.join(', ') || 'none'}${user?.unitId ? ` of ${user.unitId}` : ''}`}`,
      );
    }
    byUsername.set(w.username, principalOfUser(user));
  }

  const units = new Map<string, { reporter: Principal; head: Principal }>();
  for (const u of plan.units) {
    if (responsible.has(u.id)) units.set(u.id, { reporter: byUsername.get(`${u.id}-reporter`)!, head: byUsername.get(`${u.id}-head`)! });
  }
  return { people: { office: byUsername.get('office')!, supervisor: byUsername.get('supervisor')!, leader: byUsername.get('leader')!, units }, created };
}
