import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { assertNever, DomainError, type Command, type CommandMeta } from '../../engine/commands/command.js';
import { executeCommand, type CommandResult, type ExecuteOptions } from '../../engine/commands/command-executor.js';
import { Engine } from '../../engine/nest/engine.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { authorize } from '../access/access.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import { PlanService } from '../plan/plan.service.js';
import { parsePeerFiguresWorkbook, peerFiguresTemplate, type CellProblem, type ImportOutcome } from './peer-figures-import.js';
import { parsePeriod } from './ranking-periods.js';
import {
  figuresDecider,
  RANKING_COMMANDS,
  scoringDecider,
  type FigureInput,
  type FiguresCommand,
  type FiguresContext,
  type FiguresRef,
  type ScoringCommand,
} from './ranking.decider.js';
import { figuresStream, scoringStream, type FigureSource } from './ranking.events.js';
import { ruleChangeReactor, type RuleChangeTrigger } from './rule-change.reactor.js';
import { standingsProjection } from './standings.projection.js';

/**
 * What other parts of the system send (HTTP, the CLI, the rule-change reactor, engine.execute):
 * the command without the plan's facts, which the handler looks up and adds.
 */
export type RankingRequest =
  | Command<'ranking.RecordFigures', FiguresRef & { figures: FigureInput[]; source: FigureSource }>
  | Command<'ranking.CorrectFigure', FiguresRef & { countyId: string; corrected: { value: number | null; rank: number | null } }>
  | Command<'ranking.ApplyRuleChange', FiguresRef>
  | Command<'ranking.PublishScoringRule', { planId: string; coefficients: { rank: number; coefficient: number }[]; missingRankCoefficient: number; note: string }>;

/** The ranking workflow's handler: the plan's facts, then load, decide, append. */
@Injectable()
export class RankingService {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {
    engine.registerProjections(standingsProjection, ruleChangeReactor((ref, trigger) => this.recompute(ref, trigger)));
    engine.registerCommands(RANKING_COMMANDS, (c, o) => this.execute(c as RankingRequest, o));
  }

  async execute(request: RankingRequest, options?: ExecuteOptions): Promise<CommandResult> {
    switch (request.type) {
      case 'ranking.RecordFigures':
      case 'ranking.CorrectFigure':
      case 'ranking.ApplyRuleChange': {
        const context = await this.figuresContext(request.data);
        if (request.type === 'ranking.RecordFigures') checkSource(request.data.source);
        const { planId, indicatorNo, period, ...rest } = request.data;
        const command = { ...request, data: { ...rest, context } } as FiguresCommand;
        const result = await executeCommand(this.engine.store, figuresDecider, figuresStream(planId, indicatorNo, period), command, options);
        if (request.type !== 'ranking.ApplyRuleChange' && result.events.length > 0 && !result.replayed) {
          // The tiers may have been revised between our reading the plan and our append, after
          // the rule-change reaction had passed this stream by: settle it now.
          if ((await this.plans.tiersRevision(planId)) !== context.tiersRevision) {
            await this.recompute(
              { planId, indicatorNo, period },
              { commandId: `${request.meta.commandId}/tiers-recheck`, causationId: request.meta.commandId, correlationId: request.meta.correlationId ?? request.meta.commandId, reason: 'warning tiers revised while the figures were recorded' },
            );
          }
        }
        return result;
      }
      case 'ranking.PublishScoringRule': {
        const plan = await this.plans.get(request.data.planId);
        const command: ScoringCommand = {
          ...request,
          data: {
            context: { planId: plan.id, peerGroupSize: plan.peerGroup.size },
            coefficients: request.data.coefficients,
            missingRankCoefficient: request.data.missingRankCoefficient,
            note: request.data.note,
          },
        };
        return executeCommand(this.engine.store, scoringDecider, scoringStream(plan.id), command, options);
      }
      default:
        return assertNever(request, 'ranking command');
    }
  }

  /** The system recomputes a stream's warning after the warning tiers changed. */
  recompute(ref: FiguresRef, trigger: RuleChangeTrigger): Promise<CommandResult> {
    return this.execute({
      type: 'ranking.ApplyRuleChange',
      data: ref,
      meta: {
        commandId: trigger.commandId,
        causationId: trigger.causationId,
        correlationId: trigger.correlationId,
        actor: SYSTEM_PRINCIPAL,
        now: this.engine.clock.now().toISOString(),
        reason: trigger.reason,
      },
    });
  }

  /** The plan's facts about an indicator × period, checked. */
  async figuresContext(ref: FiguresRef): Promise<FiguresContext> {
    const { plan, tiersRevision } = await this.plans.getWithTiers(ref.planId);
    const period = this.checkPeriod(plan, ref.period);
    const indicator = indicatorOf(plan, ref.indicatorNo);
    return {
      planId: plan.id,
      indicatorNo: indicator.no,
      period,
      indicator: { name: indicator.name, kind: indicator.kind, direction: indicator.direction },
      counties: plan.peerGroup.counties.map((c) => ({ id: c.id, name: c.name, ours: c.ours })),
      warningTiers: plan.warningTiers.map(({ tier, fromRank, toRank }) => ({ tier, fromRank, toRank })),
      tiersRevision,
    };
  }

  checkPeriod(plan: PlanDefinition, period: string): string {
    const p = parsePeriod(period);
    if (!p || p.year !== plan.year) {
      throw new DomainError('period-outside-plan', `"${period}" is not a ranking period of plan ${plan.id}: write ${plan.year}-MM, ${plan.year}-Qn or ${plan.year}`, {
        status: 422,
        fields: [{ field: 'period', message: `a month, quarter or the year ${plan.year}` }],
      });
    }
    return period;
  }

  // Import --------------------------------------------------------------------------------------

  /**
   * All or nothing: the whole workbook is checked first; only a file without a single bad cell is
   * recorded, one command per row, its id derived from the file's digest, sheet and row, so an
   * upload of the same file again (or a retry after a failure midway) is answered, not repeated.
   */
  async importWorkbook(planId: string, file: { name: string; data: Uint8Array }, meta: CommandMeta): Promise<ImportOutcome> {
    authorize(meta.actor, 'figures.record');
    const plan = await this.plans.get(planId);
    const parsed = await parsePeerFiguresWorkbook(file.data, plan);
    if (parsed.problems.length) throw spreadsheetProblem(file.name, parsed.problems);
    const digest = createHash('sha256').update(file.data).digest('hex');
    const importId = digest.slice(0, 32);
    const outcome: ImportOutcome = { importId, file: file.name, sheets: [], recorded: 0, unchanged: 0, replayed: 0, skipped: parsed.skipped };
    for (const row of parsed.rows) {
      const sheet = outcome.sheets.find((s) => s.sheet === row.sheet) ?? outcome.sheets[outcome.sheets.push({ sheet: row.sheet, period: row.period, rows: 0 }) - 1]!;
      sheet.rows++;
      const result = await this.execute({
        type: 'ranking.RecordFigures',
        data: {
          planId: plan.id,
          indicatorNo: row.indicatorNo,
          period: row.period,
          figures: row.figures,
          source: { kind: 'import', importId, file: file.name, sheet: row.sheet, row: row.row },
        },
        meta: { ...meta, commandId: `import-${importId}-${row.period}-${row.row}`, correlationId: meta.correlationId ?? `import-${importId}`, causationId: meta.commandId },
      });
      if (result.replayed) outcome.replayed++;
      else if (result.events.length) outcome.recorded++;
      else outcome.unchanged++;
      if (result.position) outcome.position = result.position;
    }
    return outcome;
  }

  async template(planId: string, period: string): Promise<Buffer> {
    const plan = await this.plans.get(planId);
    return peerFiguresTemplate(plan, this.checkPeriod(plan, period));
  }
}

/** An indicator of the plan, or 404. */
export function indicatorOf(plan: PlanDefinition, no: number) {
  const indicator = plan.indicators.find((i) => i.no === no);
  if (!indicator) throw new DomainError('indicator-not-found', `plan ${plan.id} has no indicator ${no}`, { status: 404, fields: [{ field: 'indicatorNo', message: `1–${plan.indicators.length}` }] });
  return indicator;
}

function checkSource(source: FigureSource): void {
  const ok =
    source?.kind === 'manual' ||
    (source?.kind === 'import' && typeof source.importId === 'string' && typeof source.file === 'string' && typeof source.sheet === 'string' && Number.isInteger(source.row));
  if (!ok) throw new DomainError('invalid-source', 'source must be { kind: "manual" } or an import with importId, file, sheet and row', { status: 422, fields: [{ field: 'source', message: 'manual or import' }] });
}

function spreadsheetProblem(file: string, problems: CellProblem[]): DomainError {
  const where = (p: CellProblem) => (p.sheet ? `'${p.sheet}'${p.cell ? `!${p.cell}` : p.row !== null ? ` row ${p.row}` : ''}` : file);
  return new DomainError(
    'invalid-spreadsheet',
    `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was recorded. ${problems.map((p) => `${where(p)}: ${p.message}`).join('; ')}`,
    { status: 422, fields: problems.map((p) => ({ field: where(p), message: p.message })), cells: problems },
  );
}
