import { Body, Controller, Get, HttpCode, Inject, Param, ParseIntPipe, Post, Put, Query, Req, Res, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import type { Clock } from '../../engine/clock.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { apiPath } from '../../engine/nest/http/location.js';
import { pageOf, type Page } from '../../engine/nest/http/paging.js';
import { WARNING_TIERS, type PlanDefinition, type WarningTier } from './plan-file.js';
import type { PlanCommand } from './plan.decider.js';
import { badRequest, languageOf } from '../../engine/nest/http/problem-details.js';
import { targetsTemplate, type TargetsImportOutcome } from './plan-import.js';
import { DraftNextYearPlan, ImportPlanTargets, PlanBusCommand, PublishPlanDraft, PublishPlanFile } from './plan.handlers.js';
import type { DraftDoc } from './plan.projection.js';
import type { PlanChangeDoc } from './plan.projection.js';
import { GetPlan, GetPlanChanges, GetPlanDraft, ListPlans, type PlanSummary } from './plan.queries.js';

const MAX_UPLOAD = 10 * 1024 * 1024;

class ReasonDto {
  @ApiProperty({ description: 'Why the published plan changes (recorded with the change)', example: '县定目标 adopted by the county executive meeting' })
  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  reason!: string;
}

class SetTargetDto extends ReasonDto {
  @ApiProperty({ type: Number, nullable: true, description: 'The county’s own target for the plan year, in the indicator’s unit; null clears it' })
  @ValidateIf((o) => o.target !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  target!: number | null;
}

class SetBaselineDto extends ReasonDto {
  @ApiProperty({ type: Number, nullable: true, description: 'The previous year’s result' })
  @ValidateIf((o) => o.value !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'The previous year’s rank among the peer counties' })
  @ValidateIf((o) => o.rank !== null)
  @IsInt()
  @Min(1)
  rank!: number | null;
}

class LabelDto {
  @ApiProperty() @IsString() zh!: string;
  @ApiProperty() @IsString() en!: string;
}

class WarningTierDto {
  @ApiProperty({ enum: WARNING_TIERS }) @IsIn(WARNING_TIERS) tier!: WarningTier['tier'];
  @ApiProperty() @IsInt() @Min(1) fromRank!: number;
  @ApiProperty() @IsInt() @Min(1) toRank!: number;
  @ApiProperty({ type: LabelDto }) @ValidateNested() @Type(() => LabelDto) label!: LabelDto;
}

class ReviseWarningTiersDto extends ReasonDto {
  @ApiProperty({ type: [WarningTierDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => WarningTierDto)
  tiers!: WarningTierDto[];
}

class ReviseMonthlyReportRuleDto extends ReasonDto {
  @ApiProperty({ example: 6, description: 'reports are due before this day of the next month (2–28)' }) @IsInt() @Min(2) dueBeforeDayOfNextMonth!: number;
  @ApiProperty({ example: 2, description: 'working days before the deadline a reminder goes out (0–20)' }) @IsInt() @Min(0) reminderWorkingDaysBefore!: number;
}

class PublishPlanDto {
  @ApiProperty({ description: 'The plan file (YAML), as in plans/ye-county-2023.yaml' })
  @IsString()
  @MinLength(10)
  @MaxLength(2_000_000)
  yaml!: string;

  @ApiPropertyOptional({ description: 'The file name, used in error messages and the record' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  fileName?: string;
}

@ApiTags('plans')
@Controller('plans')
export class PlanController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The published plans' })
  @ApiQuery({ name: 'minPosition', required: false, description: 'wait until this position (a command’s X-Position) is reflected' })
  async list(@ReadAtParam() at: ReadAt, @Query('after') after?: string, @Query('limit') limit?: string): Promise<Page<PlanSummary>> {
    return pageOf(await this.queries.execute(new ListPlans(at)), (p) => p.id, { after, limit });
  }

  @Get(':planId')
  @ApiOperation({ summary: 'A plan as it stands now, every revision applied (ETag: its revision)' })
  get(@Param('planId') planId: string): Promise<PlanDefinition> {
    return this.queries.execute(new GetPlan(planId));
  }

  @Get(':planId/changes')
  @ApiOperation({ summary: 'Every change to the plan since publication: what, who, when, why' })
  async changes(@Param('planId') planId: string, @ReadAtParam() at: ReadAt, @Query('after') after?: string, @Query('limit') limit?: string): Promise<Page<PlanChangeDoc>> {
    return pageOf(await this.queries.execute(new GetPlanChanges(planId, at)), (c) => c.position, { after, limit });
  }

  @Post()
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Publish a plan (another year or county) from its YAML file; errors name the line' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async publish(@Body() body: PublishPlanDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<CommandResult> {
    const result: CommandResult = await this.commands.execute(new PublishPlanFile(body.yaml, body.fileName ?? 'plan.yaml', commandMeta(req, this.clock)));
    // Issue 14: a creation answers 201 with where the created resource is read.
    const published = result.events.find((e) => e.type === 'PlanPublished')?.data as { plan?: { id?: string } } | undefined;
    if (published?.plan?.id) res.setHeader('Location', apiPath('plans', published.plan.id));
    return result;
  }

  @Put(':planId/indicators/:indicatorNo/target')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Set or revise an indicator’s county target, with a reason' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'the plan’s revision (ETag)' })
  setTarget(@Param('planId') planId: string, @Param('indicatorNo', ParseIntPipe) no: number, @Body() body: SetTargetDto, @Req() req: AuthenticatedRequest) {
    return this.#execute(req, { type: 'plan.SetTarget', data: { planId, indicatorNo: no, target: body.target } }, body.reason);
  }

  @Put(':planId/indicators/:indicatorNo/baseline')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Set or revise an indicator’s previous-year result and rank, with a reason' })
  setBaseline(@Param('planId') planId: string, @Param('indicatorNo', ParseIntPipe) no: number, @Body() body: SetBaselineDto, @Req() req: AuthenticatedRequest) {
    return this.#execute(req, { type: 'plan.SetBaseline', data: { planId, indicatorNo: no, value: body.value, rank: body.rank } }, body.reason);
  }

  @Put(':planId/rules/warning-tiers')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Revise the warning tiers (ranks → green/yellow/red), with a reason' })
  @ApiBody({ type: ReviseWarningTiersDto })
  reviseWarningTiers(@Param('planId') planId: string, @Body() body: ReviseWarningTiersDto, @Req() req: AuthenticatedRequest) {
    // Events hold plain JSON: copy the validated DTO instances into plain objects.
    const tiers = body.tiers.map((t) => ({ tier: t.tier, fromRank: t.fromRank, toRank: t.toRank, label: { zh: t.label.zh, en: t.label.en } }));
    return this.#execute(req, { type: 'plan.ReviseWarningTiers', data: { planId, tiers } }, body.reason);
  }

  @Put(':planId/rules/monthly-report')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Revise the monthly report’s deadline (due before day N of the next month) and reminder, with a reason; the rest of the rule stays' })
  @ApiBody({ type: ReviseMonthlyReportRuleDto })
  async reviseMonthlyReportRule(@Param('planId') planId: string, @Body() body: ReviseMonthlyReportRuleDto, @Req() req: AuthenticatedRequest) {
    // The deadline and the reminder are what the office changes; the rest of the rule (paper copies, address) comes from the plan as it stands.
    const plan: PlanDefinition = await this.queries.execute(new GetPlan(planId));
    const rule = { ...plan.monthlyReport, dueBeforeDayOfNextMonth: body.dueBeforeDayOfNextMonth, reminderWorkingDaysBefore: body.reminderWorkingDaysBefore };
    return this.#execute(req, { type: 'plan.ReviseMonthlyReportRule', data: { planId, rule } }, body.reason);
  }

  @Post(':planId/next-year')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({
    summary:
      'Draft next year’s plan from this one (office, with a reason): a new plan id for year + 1, this year’s full-year results and ranks as its baselines, targets empty; edited through the same target and baseline routes, then published',
  })
  async draftNextYear(@Param('planId') planId: string, @Body() body: ReasonDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    const drafted: CommandResult & { planId: string } = await this.commands.execute(new DraftNextYearPlan(planId, commandMeta(req, this.clock, { reason: body.reason })));
    // Issue 14: the new plan is a draft until published: it is read at …/draft.
    res.setHeader('Location', apiPath('plans', drafted.planId, 'draft'));
    return drafted;
  }

  @Get(':planId/draft')
  @ApiOperation({ summary: 'A drafted plan as it stands (404 when there is no draft of that id)' })
  draft(@Param('planId') planId: string, @ReadAtParam() at: ReadAt): Promise<DraftDoc> {
    return this.queries.execute(new GetPlanDraft(planId, at));
  }

  @Post(':planId/publish')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Publish a drafted plan: from then on every workflow reads it; a plan is published once (409 plan-already-published)' })
  publishDraft(@Param('planId') planId: string, @Body() body: ReasonDto, @Req() req: AuthenticatedRequest) {
    return this.commands.execute(new PublishPlanDraft(planId, commandMeta(req, this.clock, { reason: body.reason })));
  }

  @Post(':planId/imports')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Import targets and baselines from the office’s workbook (.xlsx, multipart fields "file" and "reason"; the template is GET imports/template). Every bad cell is listed in the Accept-Language and nothing is recorded; each changed value is its own event with the reason (office)',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'reason'],
      properties: {
        file: { type: 'string', format: 'binary' },
        reason: { type: 'string' },
        language: { type: 'string', description: 'zh-CN or en-US: the language of the problems, before Accept-Language' },
      },
    },
  })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_UPLOAD, files: 1 }, defParamCharset: 'utf8' }))
  importTargets(
    @Param('planId') planId: string,
    @UploadedFile() file: { originalname: string; buffer: Buffer } | undefined,
    @Body() body: { reason?: unknown; language?: unknown },
    @Req() req: AuthenticatedRequest,
  ): Promise<TargetsImportOutcome> {
    if (!file) throw badRequest('file', 'attach the .xlsx workbook as the multipart form field "file"');
    const reason = typeof body?.reason === 'string' ? body.reason.slice(0, 2000) : '';
    // The web UI names its own language (the browser's Accept-Language may differ from the language chosen on screen).
    const language = languageOf(typeof body?.language === 'string' ? body.language : req.header('accept-language'));
    return this.commands.execute(new ImportPlanTargets(planId, { name: file.originalname || 'upload.xlsx', data: file.buffer }, reason, language, commandMeta(req, this.clock)));
  }

  @Get(':planId/imports/template')
  @ApiOperation({ summary: 'The workbook of targets and baselines to fill in, filled with the plan as it stands, and its instructions' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async targetsTemplate(@Param('planId') planId: string, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const plan: PlanDefinition = await this.queries.execute(new GetPlan(planId));
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="targets-${plan.id}.xlsx"`);
    return new StreamableFile(await targetsTemplate(plan));
  }

  #execute(req: AuthenticatedRequest, command: Omit<PlanCommand, 'meta'>, reason: string): Promise<CommandResult> {
    const meta = commandMeta(req, this.clock, { reason });
    return this.commands.execute(new PlanBusCommand({ ...command, meta } as PlanCommand, executeOptions(req)));
  }
}
