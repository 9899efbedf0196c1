import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { DomainError } from '../../engine/commands/command.js';
import type { CommandResult, FactsReader } from '../../engine/commands/command-executor.js';
import { Engine } from '../../engine/nest/engine.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { parsePlanFile, type PlanDefinition } from './plan-file.js';
import { planDecider, type PlanState } from './plan.decider.js';
import { planStream, type PlanEvent } from './plan.events.js';
import { BUILTIN_PLANS_DIR } from './plans.js';

export interface PlanWithTiers {
  plan: PlanDefinition;
  /** The plan stream revision that put the warning tiers in force (0: as published). */
  tiersRevision: number;
}

/**
 * How every workflow reads a plan, and how the shipped plan files are published. Decisions read the plan from
 * its stream (not a projection that may lag), cached by the stream's revision.
 */
@Injectable()
export class PlanService {
  readonly #cache = new Map<string, { revision: number } & PlanWithTiers>();

  constructor(private readonly engine: Engine) {}

  /** The plan as it stands now, with every revision applied; 404 if never published. */
  async get(planId: string): Promise<PlanDefinition> {
    return (await this.getWithTiers(planId)).plan;
  }

  /** One of the plan's units; 404 `unit-not-found` (with planId and unitId) for a unit the plan does not name. */
  async unit(planId: string, unitId: string): Promise<PlanDefinition['units'][number]> {
    const plan = await this.get(planId);
    const unit = plan.units.find((u) => u.id === unitId);
    if (!unit) throw new DomainError('unit-not-found', `plan ${planId} has no unit ${unitId}`, { status: 404, planId, unitId });
    return unit;
  }

  /** The plan's stream folded: none, a draft (next year's, being prepared) or published; and its revision. */
  async state(planId: string): Promise<{ state: PlanState; revision: number }> {
    let state: PlanState = planDecider.initialState();
    let revision = 0;
    for (const e of await this.engine.store.readStream(planStream(planId))) {
      state = planDecider.evolve(state, { type: e.type, data: e.data } as PlanEvent);
      revision = e.revision;
    }
    return { state, revision };
  }

  /** The plan stream revision that put the plan's warning tiers in force (0: as published). */
  async tiersRevision(planId: string): Promise<number> {
    return (await this.getWithTiers(planId)).tiersRevision;
  }

  /**
   * The plan now and its warning tiers' revision, from one read of the stream; 404 if never published.
   * A command passes its `facts`: the plan stream's revision is then one of the decision's facts,
   * taken from what this process knows of the stream where it can (the append checks it).
   */
  async getWithTiers(planId: string, facts?: FactsReader): Promise<PlanWithTiers> {
    const stream = planStream(planId);
    // Every command and read asks for the plan: its revision alone says whether the kept one is current
    // (reading the last event instead parsed the whole published plan on each call).
    const cached = this.#cache.get(planId);
    const revision = facts ? (await facts.revisions([stream]))[0] : await this.engine.store.revision(stream);
    if (cached && cached.revision === revision) return { plan: cached.plan, tiersRevision: cached.tiersRevision };
    const events = await this.engine.store.readStream(stream);
    if (events.length > 0) facts?.use(stream, events.at(-1)!.revision);
    if (events.length === 0) throw new DomainError('plan-not-found', `no plan ${planId} has been published`, { status: 404, planId });
    let state: PlanState = planDecider.initialState();
    let tiersRevision = 0;
    for (const e of events) {
      state = planDecider.evolve(state, { type: e.type, data: e.data } as PlanEvent);
      if (e.type === 'PlanRuleRevised' && (e.data as { rule: string }).rule === 'warningTiers') tiersRevision = e.revision;
    }
    if (state.status !== 'published') throw new DomainError('plan-not-found', `no plan ${planId} has been published`, { status: 404, planId });
    this.#cache.set(planId, { revision: events.at(-1)!.revision, plan: state.plan, tiersRevision });
    return { plan: state.plan, tiersRevision };
  }

  /**
   * Publishes a plan file unless its plan is published already. The command id comes from the
   * plan and the file's digest, so two servers starting at once publish it once.
   */
  async publishFile(path: string, actor = SYSTEM_PRINCIPAL): Promise<CommandResult | undefined> {
    const text = readFileSync(path, 'utf8');
    // On every start after the first the plan is published already: look at the file's top-level
    // `id:` before parsing and validating it (a third of a restart). publish() would find the same
    // stream and return too; a file whose id line cannot be read is parsed as before.
    const id = /^id:\s*['"]?([A-Za-z0-9_.-]+)['"]?\s*$/m.exec(text)?.[1];
    if (id && (await this.engine.store.readStream(planStream(id), { maxCount: 1 })).length > 0) return undefined;
    const plan = parsePlanFile(text, relative(process.cwd(), path) || path);
    return this.publish(plan, { file: relative(process.cwd(), path) || path, sha256: createHash('sha256').update(text).digest('hex') }, actor);
  }

  async publish(plan: PlanDefinition, source: { file: string; sha256: string }, actor = SYSTEM_PRINCIPAL): Promise<CommandResult | undefined> {
    const [existing] = await this.engine.store.readStream(planStream(plan.id), { maxCount: 1 });
    if (existing) return undefined;
    return this.engine.execute({
      type: 'plan.Publish',
      data: { plan, source },
      meta: { commandId: `publish-${plan.id}-${source.sha256.slice(0, 16)}`, actor, now: this.engine.clock.now().toISOString(), reason: `plan file ${source.file}` },
    });
  }

  /** The plans shipped in plans/ that this deployment loads at start (JIXIAO_PLANS, default ye-county-2023). */
  static builtinPlanPaths(env: NodeJS.ProcessEnv = process.env): string[] {
    const ids = (env.JIXIAO_PLANS ?? 'ye-county-2023')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return ids.map((id) => `${BUILTIN_PLANS_DIR}/${id}.yaml`);
  }
}
