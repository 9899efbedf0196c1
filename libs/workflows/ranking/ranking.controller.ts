import { Body, Controller, Get, HttpCode, Inject, Param, ParseIntPipe, Post, Query, Req, Res, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import type { Response } from 'express';
import type { Clock } from '../../engine/clock.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { apiPath } from '../../engine/nest/http/location.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { parseAsOf } from '../../engine/projections/as-of.js';
import type { ImportOutcome } from './peer-figures-import.js';
import { isQuarter } from './ranking-periods.js';
import { ImportPeerFigures, RankingBusCommand, type RankingRequest } from './ranking.handlers.js';
import type { WhatIfResult } from './scoring.js';
import type { StandingView, WarningBoard } from './standings.projection.js';
import { GetFiguresTemplate, GetScore, GetScoringRules, GetStanding, GetStandings, GetWarningBoard, GetWhatIf } from './standings.queries.js';
import { PERIOD_PATTERN as PERIOD } from '../plan/period.js';

const MAX_UPLOAD = 10 * 1024 * 1024;

class CountyFigureDto {
  @ApiProperty({ example: 'baofeng', description: 'a peer county id from the plan' })
  @IsString()
  @MaxLength(100)
  countyId!: string;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'the figure in the indicator’s unit (for a task indicator: the score the city gave); null or absent when the city gave only a rank',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'the rank the city published, where it did (rank-only recording, or alongside the value)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  rank?: number | null;
}

class RecordFiguresDto {
  @ApiProperty({ example: 28 }) @IsInt() @Min(1) indicatorNo!: number;

  @ApiProperty({ example: '2023-Q2', description: "ranking period: 'YYYY-MM' (a month, cumulative), 'YYYY-Qn' or 'YYYY'" })
  @Matches(PERIOD, { message: 'period must be YYYY-MM, YYYY-Qn or YYYY' })
  period!: string;

  @ApiProperty({ type: [CountyFigureDto], description: 'some or all of the peer counties' })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => CountyFigureDto)
  figures!: CountyFigureDto[];
}

class CorrectionDto {
  @ApiProperty({ example: 'ruzhou' }) @IsString() @MaxLength(100) countyId!: string;

  @ApiProperty({ type: Number, nullable: true, description: 'the corrected figure; null when the city gave only a rank (or the figure is withdrawn)' })
  @ValidateIf((o) => o.value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'the corrected published rank, if any' })
  @IsOptional()
  @IsInt()
  @Min(1)
  rank?: number | null;

  @ApiProperty({ description: 'why the recorded figure was wrong (recorded with the correction)' })
  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  reason!: string;
}

class CoefficientDto {
  @ApiProperty({ example: 1 }) @IsInt() @Min(1) rank!: number;
  @ApiProperty({ example: 1, description: 'the share of the indicator’s points this rank earns, 0–1' }) @IsNumber() @Min(0) @Max(1) coefficient!: number;
}

class ScoringRuleDto {
  @ApiProperty({ type: [CoefficientDto], description: 'one per rank 1..6; a better rank never earns less' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CoefficientDto)
  coefficients!: CoefficientDto[];

  @ApiProperty({ example: 0, description: 'the coefficient when our rank is missing' })
  @IsNumber()
  @Min(0)
  @Max(1)
  missingRankCoefficient!: number;

  @ApiProperty({ example: '市考核办法: 第1名得满分，每降一名减10%' }) @IsString() @MaxLength(2000) note!: string;

  @ApiPropertyOptional({ description: 'required once a version is in force: why the rule changes' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

class WhatIfChangeDto {
  @ApiProperty({ example: 7 }) @IsInt() @Min(1) indicatorNo!: number;
  @ApiProperty({ type: Number, nullable: true, example: 2 })
  @ValidateIf((o) => o.rank !== null)
  @IsInt()
  @Min(1)
  rank!: number | null;
}

class WhatIfDto {
  @ApiProperty({ example: '2023-Q3' }) @Matches(PERIOD, { message: 'period must be YYYY-MM, YYYY-Qn or YYYY' }) period!: string;

  @ApiProperty({ type: [WhatIfChangeDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => WhatIfChangeDto)
  changes!: WhatIfChangeDto[];

  @ApiPropertyOptional({ description: 'ISO date-time: start from the standings as known then' })
  @IsOptional()
  @IsString()
  asOf?: string;
}

interface UploadedXlsx {
  originalname: string;
  buffer: Buffer;
  size: number;
}

@ApiTags('ranking')
@Controller('plans/:planId/ranking')
export class RankingController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('figures')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({
    summary: 'Record (some of) the six counties’ figures for an indicator and period as the city published them (office); a changed figure is recorded as a revision',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'the figures stream’s revision (ETag of the standing)' })
  async record(
    @Param('planId') planId: string,
    @Body() body: RecordFiguresDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResult> {
    const result = await this.#run(req, {
      type: 'ranking.RecordFigures',
      data: {
        planId,
        indicatorNo: body.indicatorNo,
        period: body.period,
        figures: body.figures.map((f) => ({ countyId: f.countyId, value: f.value ?? null, rank: f.rank ?? null })),
        source: { kind: 'manual' },
      },
    });
    // Issue 14: recorded figures are read in the standing of their indicator and period; figures the store held already create nothing (200).
    if (result.events.some((e) => e.type === 'PeerFiguresRecorded')) res.setHeader('Location', apiPath('plans', planId, 'ranking', 'standings', body.indicatorNo, body.period));
    else res.status(200);
    return result;
  }

  @Post('figures/:indicatorNo/:period/corrections')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Correct a figure the office entered wrongly, with a reason (office); the recorded figure stays in the record' })
  correct(
    @Param('planId') planId: string,
    @Param('indicatorNo', ParseIntPipe) no: number,
    @Param('period') period: string,
    @Body() body: CorrectionDto,
    @Req() req: AuthenticatedRequest,
  ): Promise<CommandResult> {
    return this.#run(
      req,
      {
        type: 'ranking.CorrectFigure',
        data: { planId, indicatorNo: no, period: checkPeriod(period), countyId: body.countyId, corrected: { value: body.value, rank: body.rank ?? null } },
      },
      body.reason,
    );
  }

  @Get('standings/:indicatorNo/:period')
  @ApiOperation({
    summary: 'An indicator’s standing for a period: the six counties’ figures and ranks, our rank and warning, and every change with its cause (ETag: the stream revision)',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: as known then, re-derived from the events' })
  @ApiQuery({ name: 'minPosition', required: false })
  async standing(
    @Param('planId') planId: string,
    @Param('indicatorNo', ParseIntPipe) no: number,
    @Param('period') period: string,
    @ReadAtParam() at: ReadAt,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StandingView & { asOf?: string }> {
    const view = await this.queries.execute(new GetStanding(planId, no, checkPeriod(period), at));
    res.setHeader('ETag', `"${view.revision}"`);
    return view;
  }

  @Get('standings')
  @ApiOperation({ summary: 'Every indicator’s standing for exactly one period' })
  @ApiQuery({ name: 'period', required: true, example: '2023-Q3' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'minPosition', required: false })
  standings(@Param('planId') planId: string, @ReadAtParam() at: ReadAt, @Query('period') period?: string) {
    return this.queries.execute(new GetStandings(planId, checkPeriod(period), at));
  }

  @Get('warnings')
  @ApiOperation({
    summary: 'The warning board of a quarter: counts green/yellow/red/missing, each indicator’s warning, and the changes since the last quarterly meeting with their causes',
  })
  @ApiQuery({ name: 'quarter', required: true, example: '2023-Q3' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'minPosition', required: false })
  warnings(@Param('planId') planId: string, @ReadAtParam() at: ReadAt, @Query('quarter') quarter?: string): Promise<WarningBoard & { asOf?: string }> {
    if (!quarter || !isQuarter(quarter)) throw badRequest('quarter', `"${quarter ?? ''}" is not a quarter written YYYY-Qn`);
    return this.queries.execute(new GetWarningBoard(planId, quarter, at));
  }

  @Get('score')
  @ApiOperation({ summary: 'The composite score for a period: per indicator points × the coefficient of our rank, and the total out of the plan’s points' })
  @ApiQuery({ name: 'period', required: true, example: '2023-Q3' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'minPosition', required: false })
  score(@Param('planId') planId: string, @ReadAtParam() at: ReadAt, @Query('period') period?: string) {
    return this.queries.execute(new GetScore(planId, checkPeriod(period), at));
  }

  @Post('score/what-if')
  @HttpCode(200)
  @ApiOperation({ summary: 'What if: the projected total with some indicators at other ranks ("if indicator 7 rose to rank 2"); nothing is recorded' })
  whatIf(@Param('planId') planId: string, @Body() body: WhatIfDto, @ReadAtParam() at: ReadAt): Promise<WhatIfResult & { period: string }> {
    // The moment to start from is in the body (this is a POST); minPosition comes with the query string.
    const asOf = parseAsOf(body.asOf, undefined);
    return this.queries.execute(new GetWhatIf(planId, body.period, body.changes, { ...at, ...(asOf ? { asOf } : {}) }));
  }

  @Get('scoring-rules')
  @ApiOperation({ summary: 'The scoring rule in force and every earlier version, with who published it and why' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'minPosition', required: false })
  scoringRules(@Param('planId') planId: string, @ReadAtParam() at: ReadAt) {
    return this.queries.execute(new GetScoringRules(planId, at));
  }

  @Post('scoring-rules')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Publish a new version of the scoring rule: a coefficient per rank (office; a reason once a version is in force)' })
  async publishScoringRule(
    @Param('planId') planId: string,
    @Body() body: ScoringRuleDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResult> {
    const result = await this.#run(
      req,
      { type: 'ranking.PublishScoringRule', data: { planId, coefficients: body.coefficients, missingRankCoefficient: body.missingRankCoefficient, note: body.note } },
      body.reason,
    );
    // Issue 14: the new version is read first among the scoring rule's versions.
    res.setHeader('Location', apiPath('plans', planId, 'ranking', 'scoring-rules'));
    return result;
  }

  @Post('imports')
  @ApiOperation({
    summary:
      'Import the city’s spreadsheet (.xlsx, multipart field "file"; layout in docs/peer-figures-import.md). Every bad cell is reported by sheet, row and column and nothing is recorded; re-uploading the same file is answered, not repeated (office)',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_UPLOAD, files: 1 }, defParamCharset: 'utf8' }))
  async importFile(
    @Param('planId') planId: string,
    @UploadedFile() file: UploadedXlsx | undefined,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportOutcome> {
    if (!file) throw badRequest('file', 'attach the .xlsx workbook as the multipart form field "file"');
    const outcome: ImportOutcome = await this.commands.execute(
      new ImportPeerFigures(planId, { name: file.originalname || 'upload.xlsx', data: file.buffer }, commandMeta(req, this.clock)),
    );
    // Issue 14: the figures recorded are read in the standings of the (first) period imported; an upload that records nothing new answers 200.
    const period = outcome.sheets[0]?.period;
    if (outcome.recorded > 0 && period) res.setHeader('Location', `${apiPath('plans', planId, 'ranking', 'standings')}?period=${encodeURIComponent(period)}`);
    else res.status(200);
    return outcome;
  }

  @Get('imports/template')
  @ApiOperation({ summary: 'A workbook to fill in for a period: the sheet named after it, the header and every indicator, and the instructions' })
  @ApiQuery({ name: 'period', required: true, example: '2023-Q3' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async template(@Param('planId') planId: string, @Res({ passthrough: true }) res: Response, @Query('period') period?: string): Promise<StreamableFile> {
    const p = checkPeriod(period);
    const buffer = await this.queries.execute(new GetFiguresTemplate(planId, p));
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="peer-figures-${planId}-${p}.xlsx"`);
    return new StreamableFile(buffer);
  }

  #run(req: AuthenticatedRequest, command: Omit<RankingRequest, 'meta'>, reason?: string): Promise<CommandResult> {
    const meta = commandMeta(req, this.clock, reason ? { reason } : {});
    return this.commands.execute(new RankingBusCommand({ ...command, meta } as RankingRequest, executeOptions(req)));
  }
}

function checkPeriod(period: string | undefined): string {
  if (!period || !PERIOD.test(period)) throw badRequest('period', `"${period ?? ''}" is not a ranking period: write YYYY-MM, YYYY-Qn or YYYY`);
  return period;
}
