import { Injectable } from '@nestjs/common';
import { Command as BusMessage, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import type { CommandMeta } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { ProblemException, problem } from '../../engine/nest/http/problem-details.js';
import { authorize } from '../access/access.js';
import { DomainError } from '../../engine/commands/command.js';
import { parsePlanFile, PlanFileError, type PlanDefinition } from './plan-file.js';
import { parseTargetsWorkbook, type ImportLanguage, type TargetCellProblem, type TargetsImportOutcome } from './plan-import.js';
import { PlanService } from './plan.service.js';
import { planDecider, type PlanCommand } from './plan.decider.js';
import { planStream } from './plan.events.js';
import { figuresStream, type StandingChanged } from '../ranking/ranking.events.js';
import { draftNextYear, nextYearId } from './next-year.js';

/** The plan workflow's command on the bus. */
export class PlanBusCommand extends WorkflowCommand<PlanCommand> {}

/** Publish a plan from its YAML file: parsed and checked here, then plan.Publish. */
export class PublishPlanFile extends BusMessage<CommandResult> {
  constructor(
    readonly yaml: string,
    readonly fileName: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

@CommandHandler(PlanBusCommand)
@Injectable()
export class PlanHandler implements ICommandHandler<PlanBusCommand, CommandResult> {
  constructor(private readonly engine: Engine) {}

  execute({ command, options }: PlanBusCommand): Promise<CommandResult> {
    const planId = command.type === 'plan.Publish' || command.type === 'plan.DraftNextYear' ? command.data.plan.id : command.data.planId;
    return this.engine.decide(planDecider, planStream(planId), command, options);
  }
}

@CommandHandler(PublishPlanFile)
@Injectable()
export class PublishPlanFileHandler implements ICommandHandler<PublishPlanFile, CommandResult> {
  constructor(private readonly engine: Engine) {}

  execute({ yaml, fileName, meta }: PublishPlanFile): Promise<CommandResult> {
    let plan: PlanDefinition;
    try {
      plan = parsePlanFile(yaml, fileName);
    } catch (err) {
      if (err instanceof PlanFileError) {
        throw new ProblemException(
          problem(422, 'invalid-plan-file', 'The plan file is not valid', err.message, {
            errors: err.errors.map((e) => ({ field: `${e.file} line ${e.line}: ${e.field}`, message: e.reason })),
          }),
        );
      }
      throw err;
    }
    const source = { file: fileName, sha256: createHash('sha256').update(yaml).digest('hex') };
    return this.engine.execute({ type: 'plan.Publish', data: { plan, source }, meta });
  }
}

/** Targets and baselines from the office's workbook (plan-import.ts): checked whole, then one command per changed value. */
export class ImportPlanTargets extends BusMessage<TargetsImportOutcome> {
  constructor(
    readonly planId: string,
    readonly file: { name: string; data: Uint8Array },
    readonly reason: string,
    readonly language: ImportLanguage,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

@CommandHandler(ImportPlanTargets)
@Injectable()
export class ImportPlanTargetsHandler implements ICommandHandler<ImportPlanTargets, TargetsImportOutcome> {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  async execute({ planId, file, reason, language, meta }: ImportPlanTargets): Promise<TargetsImportOutcome> {
    // Who may, before anything about the plan or the file is answered.
    authorize(meta.actor, 'plan.revise');
    if (!reason.trim()) {
      throw new DomainError('reason-required', 'a change to a published plan needs a reason', { status: 422, fields: [{ field: 'reason', message: 'required' }] });
    }
    const plan = await this.plans.get(planId);
    const parsed = await parseTargetsWorkbook(file.data, plan, language);
    if (parsed.problems.length) throw targetsProblem(file.name, parsed.problems, language);
    const digest = createHash('sha256').update(file.data).digest('hex').slice(0, 32);
    const outcome: TargetsImportOutcome = { file: file.name, rows: parsed.rows.length, targets: 0, baselines: 0, unchanged: 0 };
    const correlationId = meta.correlationId ?? `plan-import-${digest}`;
    for (const row of parsed.rows) {
      // Each changed value is its own command and event, under the import's reason; the command ids
      // derive from the file, so the same upload again is answered rather than repeated.
      const base = { ...meta, reason: reason.trim(), correlationId, causationId: meta.commandId };
      const target = await this.engine.execute({
        type: 'plan.SetTarget',
        data: { planId: plan.id, indicatorNo: row.indicatorNo, target: row.target },
        meta: { ...base, commandId: `plan-import-${digest}-${row.indicatorNo}-target` },
      });
      const baseline = await this.engine.execute({
        type: 'plan.SetBaseline',
        data: { planId: plan.id, indicatorNo: row.indicatorNo, value: row.baseline.value, rank: row.baseline.rank },
        meta: { ...base, commandId: `plan-import-${digest}-${row.indicatorNo}-baseline` },
      });
      outcome.targets += target.events.length;
      outcome.baselines += baseline.events.length;
      if (!target.events.length && !baseline.events.length) outcome.unchanged++;
      const position = baseline.position ?? target.position;
      if (position) outcome.position = position;
    }
    return outcome;
  }
}

/** Its cells' problems keep the import's own codes (`import-…`): their messages are already in the requested language. */
function targetsProblem(file: string, problems: TargetCellProblem[], language: ImportLanguage): DomainError {
  const where = (p: TargetCellProblem) => (p.cell ? `${p.sheet}!${p.cell}` : p.row !== null ? `${p.sheet} ${p.row}` : p.sheet || file);
  const detail =
    language === 'zh-CN'
      ? `${file}：共 ${problems.length} 处问题，未记录任何数据。${problems.map((p) => `${where(p)}：${p.message}`).join('；')}`
      : `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was recorded. ${problems.map((p) => `${where(p)}: ${p.message}`).join('; ')}`;
  return new DomainError('invalid-spreadsheet', detail, {
    params: { count: problems.length },
    status: 422,
    fields: problems.map((p) => ({ field: where(p), message: p.message, code: `import-${p.code}`, params: p.params })),
    cells: problems,
  });
}

/** Next year's plan drafted from this one (next-year.ts): the year's results become its baselines. */
export class DraftNextYearPlan extends BusMessage<CommandResult & { planId: string }> {
  constructor(
    readonly fromPlanId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

/** A draft published: it becomes a plan every workflow reads. */
export class PublishPlanDraft extends BusMessage<CommandResult> {
  constructor(
    readonly planId: string,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

@CommandHandler(DraftNextYearPlan)
@Injectable()
export class DraftNextYearPlanHandler implements ICommandHandler<DraftNextYearPlan, CommandResult & { planId: string }> {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  async execute({ fromPlanId, meta }: DraftNextYearPlan): Promise<CommandResult & { planId: string }> {
    authorize(meta.actor, 'plan.revise');
    const { state, revision } = await this.plans.state(fromPlanId);
    if (state.status !== 'published') throw new DomainError('plan-not-found', `no plan ${fromPlanId} has been published`, { status: 404 });
    const current = state.plan;
    // Refused before the year's figures are read when the next plan exists already (the decider refuses again, atomically).
    const id = nextYearId(current);
    if ((await this.engine.store.readStream(planStream(id), { maxCount: 1 })).length) {
      throw new DomainError('plan-exists', `plan ${id} exists already`, { params: { planId: id }, status: 409 });
    }
    const ours = current.peerGroup.counties.find((c) => c.ours)?.id;
    const results = new Map<number, { value: number | null; rank: number | null }>();
    for (const i of current.indicators) {
      // The city's ranking for the whole year: the last standing computed from its figures.
      const events = await this.engine.store.readStream(figuresStream(current.id, i.no, String(current.year)), { direction: 'backwards' });
      const standing = events.find((e) => e.type === 'StandingChanged')?.data as StandingChanged['data'] | undefined;
      const mine = standing?.ranks.find((r) => r.countyId === ours);
      if (mine && (mine.value !== null || mine.rank !== null)) results.set(i.no, { value: mine.value, rank: mine.rank });
    }
    const plan = draftNextYear(current, results);
    const result = await this.engine.execute({ type: 'plan.DraftNextYear', data: { plan, from: { planId: current.id, revision } }, meta });
    return { ...result, planId: plan.id };
  }
}

@CommandHandler(PublishPlanDraft)
@Injectable()
export class PublishPlanDraftHandler implements ICommandHandler<PublishPlanDraft, CommandResult> {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  async execute({ planId, meta }: PublishPlanDraft): Promise<CommandResult> {
    authorize(meta.actor, 'plan.publish');
    const { state } = await this.plans.state(planId);
    // The record names what was published: the digest of the draft as it stood (the decider publishes the state it folds).
    const sha256 = state.status === 'none' ? '' : createHash('sha256').update(JSON.stringify(state.plan)).digest('hex');
    return this.engine.execute({ type: 'plan.PublishDraft', data: { planId, sha256 }, meta });
  }
}

export const PLAN_COMMAND_HANDLERS = [PlanHandler, PublishPlanFileHandler, ImportPlanTargetsHandler, DraftNextYearPlanHandler, PublishPlanDraftHandler];
