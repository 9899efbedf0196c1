import { Injectable } from '@nestjs/common';
import { Command as BusMessage, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import { assertNever, DomainError, type Command, type CommandMeta } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { authorize } from '../access/access.js';
import { parsePeerFiguresWorkbook, type CellProblem, type ImportOutcome } from './peer-figures-import.js';
import { figuresDecider, scoringDecider, type FigureInput, type FiguresCommand, type FiguresContext, type FiguresRef, type ScoringCommand } from './ranking.decider.js';
import { figuresStream, scoringStream, type FigureSource } from './ranking.events.js';
import { RankingService } from './ranking.service.js';
import { applyRuleChange } from './rule-change.reactor.js';

/**
 * What other parts of the system send (HTTP, the CLI, the rule-change reactor, engine.execute):
 * the command without the plan's facts, which the handler looks up and adds.
 */
export type RankingRequest =
  | Command<'ranking.RecordFigures', FiguresRef & { figures: FigureInput[]; source: FigureSource }>
  | Command<'ranking.CorrectFigure', FiguresRef & { countyId: string; corrected: { value: number | null; rank: number | null } }>
  | Command<'ranking.ApplyRuleChange', FiguresRef>
  | Command<'ranking.ApplyReportedFigure', FiguresRef & { unitId: string; value: number | null; trigger: 'received' | 'correction' }>
  | Command<'ranking.PublishScoringRule', { planId: string; coefficients: { rank: number; coefficient: number }[]; missingRankCoefficient: number; note: string }>;

/** The ranking workflow's command on the bus. */
export class RankingBusCommand extends WorkflowCommand<RankingRequest> {}

/** The office imports the city's workbook: one ranking.RecordFigures per row, all or nothing. */
export class ImportPeerFigures extends BusMessage<ImportOutcome> {
  constructor(
    readonly planId: string,
    readonly file: { name: string; data: Uint8Array },
    readonly meta: CommandMeta,
  ) {
    super();
  }
}

/** The plan's facts, then the one executor: load, authorise, decide, append. */
@CommandHandler(RankingBusCommand)
@Injectable()
export class RankingHandler implements ICommandHandler<RankingBusCommand, CommandResult> {
  constructor(
    private readonly engine: Engine,
    private readonly ranking: RankingService,
  ) {}

  async execute({ command: request, options }: RankingBusCommand): Promise<CommandResult> {
    switch (request.type) {
      case 'ranking.RecordFigures':
      case 'ranking.CorrectFigure':
      case 'ranking.ApplyRuleChange':
      case 'ranking.ApplyReportedFigure': {
        const { planId, indicatorNo, period, ...rest } = request.data;
        let context!: FiguresContext;
        // The plan stream is a fact of the decision: the append refuses it if the plan moved since.
        const result = await this.engine.decideOnFacts(
          figuresDecider,
          figuresStream(planId, indicatorNo, period),
          async (facts) => {
            context = await this.ranking.figuresContext(request.data, facts);
            if (request.type === 'ranking.RecordFigures') checkSource(request.data.source);
            return { ...request, data: { ...rest, context } } as FiguresCommand;
          },
          options,
        );
        if (request.type !== 'ranking.ApplyRuleChange' && request.type !== 'ranking.ApplyReportedFigure' && result.events.length > 0 && !result.replayed) {
          // The append checked the plan as its statement saw it (facts); a tiers revision committing
          // while it ran, after the rule-change reaction had passed this stream by, is settled now.
          if ((await this.ranking.tiersRevision(planId)) !== context.tiersRevision) {
            await this.engine.execute(
              applyRuleChange(
                { planId, indicatorNo, period },
                {
                  commandId: `${request.meta.commandId}/tiers-recheck`,
                  causationId: request.meta.commandId,
                  correlationId: request.meta.correlationId ?? request.meta.commandId,
                  reason: 'warning tiers revised while the figures were recorded',
                },
                this.engine.clock.now().toISOString(),
              ),
            );
          }
        }
        return result;
      }
      case 'ranking.PublishScoringRule': {
        const plan = await this.ranking.plan(request.data.planId);
        const command: ScoringCommand = {
          ...request,
          data: {
            context: { planId: plan.id, peerGroupSize: plan.peerGroup.size },
            coefficients: request.data.coefficients,
            missingRankCoefficient: request.data.missingRankCoefficient,
            note: request.data.note,
          },
        };
        return this.engine.decide(scoringDecider, scoringStream(plan.id), command, options);
      }
      default:
        return assertNever(request, 'ranking command');
    }
  }
}

/**
 * All or nothing: the whole workbook is checked first; only a file without a single bad cell is
 * recorded, one command per row, its id derived from the file's digest, sheet and row, so an
 * upload of the same file again (or a retry after a failure midway) is answered, not repeated.
 */
@CommandHandler(ImportPeerFigures)
@Injectable()
export class ImportPeerFiguresHandler implements ICommandHandler<ImportPeerFigures, ImportOutcome> {
  constructor(
    private readonly engine: Engine,
    private readonly ranking: RankingService,
  ) {}

  async execute({ planId, file, meta }: ImportPeerFigures): Promise<ImportOutcome> {
    authorize(meta.actor, 'figures.record');
    const plan = await this.ranking.plan(planId);
    const parsed = await parsePeerFiguresWorkbook(file.data, plan);
    if (parsed.problems.length) throw spreadsheetProblem(file.name, parsed.problems);
    const digest = createHash('sha256').update(file.data).digest('hex');
    const importId = digest.slice(0, 32);
    const outcome: ImportOutcome = { importId, file: file.name, sheets: [], recorded: 0, unchanged: 0, replayed: 0, skipped: parsed.skipped };
    for (const row of parsed.rows) {
      const sheet = outcome.sheets.find((s) => s.sheet === row.sheet) ?? outcome.sheets[outcome.sheets.push({ sheet: row.sheet, period: row.period, rows: 0 }) - 1]!;
      sheet.rows++;
      const result = await this.engine.execute({
        type: 'ranking.RecordFigures',
        data: {
          planId: plan.id,
          indicatorNo: row.indicatorNo,
          period: row.period,
          figures: row.figures,
          source: { kind: 'import', importId, file: file.name, sheet: row.sheet, row: row.row },
        },
        meta: { ...meta, commandId: `import-${importId}-${row.period}-${row.row}`, correlationId: meta.correlationId ?? `import-${importId}`, causationId: meta.commandId },
      } satisfies RankingRequest);
      if (result.replayed) outcome.replayed++;
      else if (result.events.length) outcome.recorded++;
      else outcome.unchanged++;
      if (result.position) outcome.position = result.position;
    }
    return outcome;
  }
}

function checkSource(source: FigureSource): void {
  const ok =
    source?.kind === 'manual' ||
    (source?.kind === 'import' && typeof source.importId === 'string' && typeof source.file === 'string' && typeof source.sheet === 'string' && Number.isInteger(source.row));
  if (!ok)
    throw new DomainError('invalid-source', 'source must be { kind: "manual" } or an import with importId, file, sheet and row', {
      status: 422,
      fields: [{ field: 'source', message: 'manual or import' }],
    });
}

function spreadsheetProblem(file: string, problems: CellProblem[]): DomainError {
  const where = (p: CellProblem) => (p.sheet ? `'${p.sheet}'${p.cell ? `!${p.cell}` : p.row !== null ? `!${p.row}:${p.row}` : ''}` : file);
  return new DomainError(
    'invalid-spreadsheet',
    `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was recorded. ${problems.map((p) => `${where(p)}: ${p.message}`).join('; ')}`,
    { params: { count: problems.length }, status: 422, fields: problems.map((p) => ({ field: where(p), message: p.message, code: p.code, params: p.params })), cells: problems },
  );
}
