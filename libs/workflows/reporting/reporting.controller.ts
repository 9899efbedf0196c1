import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { Engine } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { parseAsOf } from '../../engine/projections/as-of.js';
import { mayReadUnit } from '../access/access.js';
import { mayReadBoardRow } from '../access/boards.js';
import { PlanService } from '../plan/plan.service.js';
import type { ReportingCommand } from './reporting.decider.js';
import { reportStream, type ReportRef } from './reporting.events.js';
import { ReportingService } from './reporting.service.js';
import { cellKey, REPORTS_PROJECTION, reportKey, reportsProjection, reportStreams, type ComplianceCell, type ReportView } from './reports.projection.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const TEXT = 4000;

class ReportLineDto {
  @ApiProperty({ example: 28 }) @IsInt() @Min(1) indicatorNo!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'result as of the month’s end, in the indicator’s unit; null if not yet known' })
  @ValidateIf((o) => o.value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'rank among the six counties where known' })
  @ValidateIf((o) => o.rank !== null)
  @IsInt()
  @Min(1)
  @Max(6)
  rank!: number | null;

  @ApiProperty({ description: '存在问题' }) @IsString() @MaxLength(TEXT) problems!: string;
  @ApiProperty({ description: '下步举措' }) @IsString() @MaxLength(TEXT) nextSteps!: string;
  @ApiPropertyOptional({ description: '落后原因分析 (required for a lagging indicator)' }) @IsOptional() @IsString() @MaxLength(TEXT) analysis?: string;
  @ApiPropertyOptional({ description: '应对举措 (required for a lagging indicator)' }) @IsOptional() @IsString() @MaxLength(TEXT) countermeasures?: string;
}

class SaveDraftDto {
  @ApiProperty({ type: [ReportLineDto] }) @IsArray() @ValidateNested({ each: true }) @Type(() => ReportLineDto) lines!: ReportLineDto[];
}

class SignDto {
  @ApiProperty({ description: 'contentHash of the submitted report as the head read it: the signature covers exactly that content' })
  @Matches(/^[0-9a-f]{64}$/)
  contentHash!: string;
}

class ReasonDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) reason!: string;
}

class CorrectDto extends ReasonDto {
  @ApiProperty() @IsInt() @Min(1) indicatorNo!: number;
  @ApiProperty({ enum: ['value', 'rank'] }) @IsIn(['value', 'rank']) field!: 'value' | 'rank';
  @ApiProperty({ type: Number, nullable: true })
  @ValidateIf((o) => o.corrected !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  corrected!: number | null;
}

class ReportParams {
  @IsString() planId!: string;
  @IsString() unitId!: string;
  @IsString() period!: string;
}

@ApiTags('reporting')
@Controller('reporting/:planId')
export class ReportingController {
  constructor(
    private readonly reporting: ReportingService,
    private readonly plans: PlanService,
    private readonly engine: Engine,
  ) {}

  @Post('periods/:period/open')
  @HttpCode(200)
  @ApiOperation({ summary: 'Open a month’s reports for every responsible unit, with their reminder and deadline timers (office)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async openPeriod(@Param('planId') planId: string, @Param('period') period: string, @Req() req: AuthenticatedRequest) {
    return this.reporting.openPeriod(planId, checkPeriod(period), commandMeta(req, this.engine.clock));
  }

  @Get('reports/:unitId/:period')
  @ApiOperation({ summary: 'A unit’s monthly report: content, standing, signature, corrections and every step (ETag: its revision)' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the report as it was known then, re-derived from the events' })
  @ApiQuery({ name: 'minPosition', required: false })
  async report(
    @Param('planId') planId: string,
    @Param('unitId') unitId: string,
    @Param('period') period: string,
    @Req() req: AuthenticatedRequest,
    @Query('asOf') asOf?: string,
    @Query('minPosition') minPosition?: string,
  ): Promise<ReportView> {
    this.#mayRead(req, unitId);
    const ref = { planId, unitId, period: checkPeriod(period) };
    const moment = parseAsOf(asOf, undefined);
    const docs = await this.engine.docs(reportsProjection, { asOf: moment, minPosition, streams: () => [reportStream(ref)] });
    const view = await docs.get<ReportView>('reports', reportKey(planId, unitId, ref.period));
    if (!view) {
      const context = await this.reporting.context(ref); // 404s for an unknown plan or unit
      throw new DomainError('report-not-found', `no ${ref.period} report of ${context.unitName} ${moment ? 'was known then' : 'has been opened or drafted yet'}`, { status: 404 });
    }
    (req.res as { setHeader?: (k: string, v: string) => void } | undefined)?.setHeader?.('ETag', `"${view.revision}"`);
    return view;
  }

  @Get('reports/:unitId/:period/template')
  @ApiOperation({ summary: 'The lines a unit reports for a month (its indicators, targets and deadline), before anything is saved' })
  async template(@Param('planId') planId: string, @Param('unitId') unitId: string, @Param('period') period: string, @Req() req: AuthenticatedRequest) {
    this.#mayRead(req, unitId);
    return this.reporting.context({ planId, unitId, period: checkPeriod(period) });
  }

  @Put('reports/:unitId/:period/draft')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Save the draft (reporter of the unit); as often as needed' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async saveDraft(@Param() p: ReportParams, @Body() body: SaveDraftDto, @Req() req: AuthenticatedRequest) {
    const ref = refOf(p);
    const context = await this.reporting.context(ref);
    return this.#run(req, { type: 'reporting.SaveDraft', data: { context, lines: body.lines } });
  }

  @Post('reports/:unitId/:period/submit')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Submit (reporter); refused while a lagging indicator lacks analysis and countermeasures' })
  async submit(@Param() p: ReportParams, @Req() req: AuthenticatedRequest) {
    const context = await this.reporting.context(refOf(p));
    return this.#run(req, { type: 'reporting.Submit', data: { context } });
  }

  @Post('reports/:unitId/:period/sign')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Sign and seal exactly the submitted content (unit head; not the submitter)' })
  async sign(@Param() p: ReportParams, @Body() body: SignDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.Sign', data: { ...refOf(p), contentHash: body.contentHash } });
  }

  @Post('reports/:unitId/:period/receive')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Receive a signed report (office)' })
  async receive(@Param() p: ReportParams, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.Receive', data: refOf(p) });
  }

  @Post('reports/:unitId/:period/return')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Return a report to its unit with a reason (office); the unit revises and resubmits' })
  async return(@Param() p: ReportParams, @Body() body: ReasonDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.Return', data: refOf(p) }, body.reason);
  }

  @Post('reports/:unitId/:period/corrections')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Correct a received figure with a reason (office); the original stays in the record' })
  async correct(@Param() p: ReportParams, @Body() body: CorrectDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.Correct', data: { ...refOf(p), indicatorNo: body.indicatorNo, field: body.field, corrected: body.corrected } }, body.reason);
  }

  @Get('compliance')
  @ApiOperation({ summary: 'The compliance board: each unit × month — on time, late by how long, overdue, returned, signed, received (a unit’s people see their own unit’s row unless the plan makes boards public in the county)' })
  @ApiQuery({ name: 'from', required: false, example: '2023-01' })
  @ApiQuery({ name: 'to', required: false, example: '2023-12' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the board as it was known then' })
  async compliance(@Param('planId') planId: string, @Req() req: AuthenticatedRequest, @Query('from') from?: string, @Query('to') to?: string, @Query('asOf') asOf?: string, @Query('minPosition') minPosition?: string) {
    const plan = await this.plans.get(planId);
    const principal = principalOf(req);
    const first = from ? checkPeriod(from) : `${plan.year}-01`;
    const last = to ? checkPeriod(to) : `${plan.year}-12`;
    const moment = parseAsOf(asOf, undefined);
    const periods = Array.from({ length: 12 }, (_, i) => `${plan.year}-${String(i + 1).padStart(2, '0')}`).filter((p) => p >= first && p <= last);
    const docs = await this.engine.docs(reportsProjection, { asOf: moment, minPosition, streams: () => reportStreams(plan, periods) });
    const cells = new Map((await docs.list<ComplianceCell>('compliance', `${planId}/`)).map((r) => [r.key, r.doc]));
    return {
      planId,
      periods,
      ...(moment ? { asOf: moment.time } : {}),
      units: plan.units.filter((u) => mayReadBoardRow(principal, plan, u.id)).map((u) => ({
        unitId: u.id,
        unitName: u.name,
        shortName: u.shortName,
        cells: Object.fromEntries(periods.map((period) => [period, cells.get(cellKey(planId, period, u.id)) ?? null])),
      })),
    };
  }

  @Get('units/:unitId/reports')
  @ApiOperation({ summary: 'A unit’s own dashboard: its reports month by month, with deadlines and returns' })
  async unitReports(@Param('planId') planId: string, @Param('unitId') unitId: string, @Req() req: AuthenticatedRequest, @Query('minPosition') minPosition?: string) {
    this.#mayRead(req, unitId);
    await this.engine.waitFor(minPosition, [REPORTS_PROJECTION]);
    const reports = (await this.engine.query(REPORTS_PROJECTION).list<ReportView>('reports', `${planId}/${unitId}/`)).map((r) => r.doc);
    const now = this.engine.clock.now().toISOString();
    return {
      planId,
      unitId,
      reports: reports.map((r) => ({
        period: r.period,
        status: r.status,
        dueAt: r.dueAt,
        overdue: r.overdueAt !== null,
        late: r.submitted?.late ?? null,
        returns: r.returns,
        signed: r.signature !== null || r.status === 'received',
        corrections: r.corrections.length,
        revision: r.revision,
        minutesLeft: r.submitted ? null : Math.round((Date.parse(r.dueAt) - Date.parse(now)) / 60_000),
      })),
    };
  }

  #mayRead(req: AuthenticatedRequest, unitId: string): void {
    if (!mayReadUnit(principalOf(req), unitId)) throw new ForbiddenError(`you may read only your own unit’s reports, not ${unitId}’s`);
  }

  #run(req: AuthenticatedRequest, command: Omit<ReportingCommand, 'meta'>, reason?: string): Promise<CommandResult> {
    const options = executeOptions(req);
    return this.reporting.handle({ ...command, meta: commandMeta(req, this.engine.clock, reason ? { reason } : {}) } as ReportingCommand, options);
  }
}

function refOf(p: ReportParams): ReportRef {
  return { planId: p.planId, unitId: p.unitId, period: checkPeriod(p.period) };
}

function checkPeriod(period: string): string {
  if (!PERIOD.test(period)) throw badRequest('period', `"${period}" is not a month written YYYY-MM`);
  return period;
}
