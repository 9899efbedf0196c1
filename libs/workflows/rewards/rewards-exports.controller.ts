import { Controller, Get, Inject, Param, Req, Res, StreamableFile } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Clock } from '../../engine/clock.js';
import { DomainError } from '../../engine/commands/command.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { badRequest, languageOf } from '../../engine/nest/http/problem-details.js';
import { hasRole } from '../access/access.js';
import type { ReviewRef } from './rewards.events.js';
import { decisionWorkbook, proposalWorkbook } from './rewards-xlsx.js';
import type { ProposalView } from './review.projection.js';
import { GetDecisions, GetProposal } from './review.queries.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The year-end list and decision as workbooks (issue 16), from the same queries the review page
 * reads, with the same rights: the proposal for county roles, the decision for them from approval
 * and for everyone once published. Headers in the reader's language (Accept-Language).
 */
@ApiTags('rewards')
@Controller('plans/:planId/rewards/:year')
export class RewardsExportsController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('proposal.xlsx')
  @ApiOperation({
    summary:
      'The proposed reward/penalty list (拟奖惩名单) as a workbook: one row per unit with its indicators and annual ranks, best rank, tier, consequences, working funds (months), exclusion, conflict decision, amendments and their reasons',
  })
  @ApiProduces(XLSX)
  @ApiHeader({ name: 'Accept-Language', required: false, description: 'zh-CN (default) or en-US: the header row and labels' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the list as it was known then' })
  @ApiQuery({ name: 'minPosition', required: false })
  async proposal(
    @Param('planId') planId: string,
    @Param('year') year: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const ref = refOf(planId, year);
    const view = await this.queries.execute(new GetProposal(principalOf(req), ref, at));
    const lang = languageOf(req.header('accept-language'));
    const bytes = await proposalWorkbook(view, lang, this.#asOf(at));
    return this.#send(res, bytes, `rewards-proposal-${planId}-${ref.year}.xlsx`, `${ref.year}年度拟奖惩名单.xlsx`);
  }

  @Get('decisions.xlsx')
  @ApiOperation({
    summary:
      'The approved decision (奖惩决定) as a workbook: one row per unit as decided, with indicators and ranks, tier, consequences, working funds (months), conflict decision, and (for county roles) the amendments with their reasons and a sheet of excluded units',
  })
  @ApiProduces(XLSX)
  @ApiHeader({ name: 'Accept-Language', required: false, description: 'zh-CN (default) or en-US: the header row and labels' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the decision as it was known then' })
  @ApiQuery({ name: 'minPosition', required: false })
  async decisions(
    @Param('planId') planId: string,
    @Param('year') year: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const ref = refOf(planId, year);
    const reader = principalOf(req);
    const list = await this.queries.execute(new GetDecisions(reader, ref, at));
    // Amendments and their reasons are the proposal's: county roles read them, units read the decision.
    let proposal: ProposalView | undefined;
    if (hasRole(reader, 'office', 'supervisor', 'leader', 'auditor', 'admin', 'system')) {
      proposal = await this.queries.execute(new GetProposal(reader, ref, at)).catch((err: unknown) => {
        if (err instanceof DomainError) return undefined;
        throw err;
      });
    }
    const lang = languageOf(req.header('accept-language'));
    const bytes = await decisionWorkbook(list, proposal, lang, this.#asOf(at));
    return this.#send(res, bytes, `rewards-decision-${planId}-${ref.year}.xlsx`, `${ref.year}年度奖惩决定.xlsx`);
  }

  #asOf(at: ReadAt): string {
    return at.asOf?.time ?? this.clock.now().toISOString();
  }

  #send(res: Response, bytes: Buffer, ascii: string, name: string): StreamableFile {
    res.setHeader('Content-Type', XLSX);
    res.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`);
    return new StreamableFile(bytes);
  }
}

function refOf(planId: string, year: string): ReviewRef {
  if (!/^\d{4}$/.test(year)) throw badRequest('year', `"${year}" is not a year written YYYY`);
  return { planId, year: Number(year) };
}
