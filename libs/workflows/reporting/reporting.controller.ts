import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import type { Clock } from '../../engine/clock.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { pageOf, type Page } from '../../engine/nest/http/paging.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import type { ReportRef } from './reporting.events.js';
import { OpenReportingPeriod, ReportingBusCommand, type ReportingRequest } from './reporting.handlers.js';
import type { ReportView } from './reports.projection.js';
import { GetCompliance, GetReport, GetReportTemplate, GetUnitReports, type UnitReportLine } from './reports.queries.js';
import { MONTH_PATTERN as PERIOD } from '../plan/period.js';

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

class PaperCopiesDto {
  @ApiProperty({ example: 2, description: '纸质版一式两份: how many paper copies arrived' }) @IsInt() @Min(1) @Max(10) copies!: number;
}

class ReportParams {
  @IsString() planId!: string;
  @IsString() unitId!: string;
  @IsString() period!: string;
}

@ApiTags('reporting')
@Controller('plans/:planId/reporting')
export class ReportingController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('periods/:period/open')
  @HttpCode(200)
  @ApiOperation({ summary: 'Open a month’s reports for every responsible unit, with their reminder and deadline timers (office)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  // A report a unit, so no one revision (no ETag); X-Position is the last one's, to read them all (?minPosition=).
  @UseInterceptors(CommandResultInterceptor)
  async openPeriod(@Param('planId') planId: string, @Param('period') period: string, @Req() req: AuthenticatedRequest) {
    return this.commands.execute(new OpenReportingPeriod(planId, checkPeriod(period), commandMeta(req, this.clock)));
  }

  @Get('reports/:unitId/:period')
  @ApiOperation({ summary: 'A unit’s monthly report: content, standing, signature, corrections and every step (ETag: its revision)' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the report as it was known then, re-derived from the events' })
  @ApiQuery({ name: 'minPosition', required: false })
  async report(@Param() p: ReportParams, @Req() req: AuthenticatedRequest, @ReadAtParam() at: ReadAt, @Res({ passthrough: true }) res: Response): Promise<ReportView> {
    const view = await this.queries.execute(new GetReport(principalOf(req), refOf(p), at));
    res.setHeader('ETag', `"${view.revision}"`);
    return view;
  }

  @Get('reports/:unitId/:period/template')
  @ApiOperation({ summary: 'The lines a unit reports for a month (its indicators, targets and deadline), before anything is saved' })
  template(@Param() p: ReportParams, @Req() req: AuthenticatedRequest) {
    return this.queries.execute(new GetReportTemplate(principalOf(req), refOf(p)));
  }

  @Put('reports/:unitId/:period/draft')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Save the draft (reporter of the unit, or the office entering its paper report with X-On-Behalf-Of); as often as needed' })
  @ApiHeader({ name: 'X-On-Behalf-Of', required: false, description: 'the unit the office enters this for (its paper report); recorded beside who typed it' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  saveDraft(@Param() p: ReportParams, @Body() body: SaveDraftDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.SaveDraft', data: { ...refOf(p), lines: body.lines } });
  }

  @Post('reports/:unitId/:period/submit')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Submit (reporter, or the office with X-On-Behalf-Of); refused before the month ends, or while a lagging indicator lacks analysis and countermeasures' })
  @ApiHeader({ name: 'X-On-Behalf-Of', required: false, description: 'the unit the office submits this for (its paper report)' })
  submit(@Param() p: ReportParams, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.Submit', data: refOf(p) });
  }

  @Post('reports/:unitId/:period/sign')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Sign and seal exactly the submitted content (unit head; not the submitter)' })
  sign(@Param() p: ReportParams, @Body() body: SignDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.Sign', data: { ...refOf(p), contentHash: body.contentHash } });
  }

  @Post('reports/:unitId/:period/receive')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Receive a signed report (office)' })
  receive(@Param() p: ReportParams, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.Receive', data: refOf(p) });
  }

  @Post('reports/:unitId/:period/paper-copies')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Record the paper copies (一式两份) of a signed report as received (office); optional, it does not decide timeliness' })
  paperCopies(@Param() p: ReportParams, @Body() body: PaperCopiesDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.RecordPaperCopies', data: { ...refOf(p), copies: body.copies } });
  }

  @Post('reports/:unitId/:period/return')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Return a report to its unit with a reason (office); the unit revises and resubmits' })
  return(@Param() p: ReportParams, @Body() body: ReasonDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.Return', data: refOf(p) }, body.reason);
  }

  @Post('reports/:unitId/:period/corrections')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Correct a received figure with a reason (office or administrator); the original stays in the record' })
  correct(@Param() p: ReportParams, @Body() body: CorrectDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'reporting.Correct', data: { ...refOf(p), indicatorNo: body.indicatorNo, field: body.field, corrected: body.corrected } }, body.reason);
  }

  @Get('compliance')
  @ApiOperation({ summary: 'The compliance board: each unit × month — on time, late by how long, overdue, returned, signed, received' })
  @ApiQuery({ name: 'from', required: false, example: '2023-01' })
  @ApiQuery({ name: 'to', required: false, example: '2023-12' })
  @ApiQuery({ name: 'unitId', required: false, description: 'only this unit’s row (404 unit-not-found for a unit the plan does not have)' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the board as it was known then' })
  compliance(
    @Param('planId') planId: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('unitId') unitId?: string,
  ) {
    if (unitId !== undefined && typeof unitId !== 'string') throw badRequest('unitId', 'one unit id');
    return this.queries.execute(new GetCompliance(principalOf(req), planId, { from: from && checkPeriod(from), to: to && checkPeriod(to), unitId }, at));
  }

  @Get('units/:unitId/reports')
  @ApiOperation({ summary: 'A unit’s own dashboard: its reports month by month, with deadlines and returns' })
  async unitReports(
    @Param('planId') planId: string,
    @Param('unitId') unitId: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<Page<UnitReportLine>> {
    const { reports } = await this.queries.execute(new GetUnitReports(principalOf(req), planId, unitId, at));
    return pageOf(reports, (r) => r.period, { after, limit });
  }

  #run(req: AuthenticatedRequest, command: Omit<ReportingRequest, 'meta'>, reason?: string): Promise<CommandResult> {
    // On whose behalf: only ever explicit, and the decider accepts it only for the report's own unit.
    const onBehalfOf = req.header('x-on-behalf-of')?.trim();
    const meta = commandMeta(req, this.clock, { ...(reason ? { reason } : {}), ...(onBehalfOf ? { onBehalfOf } : {}) });
    return this.commands.execute(new ReportingBusCommand({ ...command, meta } as ReportingRequest, executeOptions(req)));
  }
}

function refOf(p: ReportParams): ReportRef {
  return { planId: p.planId, unitId: p.unitId, period: checkPeriod(p.period) };
}

function checkPeriod(period: string): string {
  if (!PERIOD.test(period)) throw badRequest('period', `"${period}" is not a month written YYYY-MM`);
  return period;
}
