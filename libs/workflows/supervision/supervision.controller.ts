import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import type { Clock } from '../../engine/clock.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { apiPath } from '../../engine/nest/http/location.js';
import { pageOf, type Page } from '../../engine/nest/http/paging.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import type { BoardFilter, BoardRow, CaseView } from './supervision-board.projection.js';
import { CASE_GROUNDS, CLOSE_REASONS, ESCALATION_KINDS, type CaseGroundKind, type CaseRef, type CloseReason, type EscalationKind } from './supervision.events.js';
import { OpenCaseByHand, SupervisionBusCommand, type SupervisionRequest } from './supervision.handlers.js';
import { GetCase, GetSupervisionBoard } from './supervision.queries.js';
import { PERIOD_PATTERN } from '../plan/period.js';

const TEXT = 8000;

class OpenDto {
  @ApiProperty({ example: 'sthjj' }) @IsString() @MinLength(1) unitId!: string;
  @ApiProperty({ example: 28 }) @IsInt() @Min(1) indicatorNo!: number;
  @ApiProperty({ example: '2023-08', description: 'the ranking period whose red warning the case is about (YYYY-MM, YYYY-Qn or YYYY)' })
  @Matches(PERIOD_PATTERN)
  period!: string;
  @ApiProperty({ description: 'why the bureau opens this case by hand' }) @IsString() @MinLength(2) @MaxLength(2000) note!: string;
}

class OnGroundDto {
  @ApiProperty({ example: 'fgw' }) @IsString() @MinLength(1) unitId!: string;
  @ApiProperty({ example: 30 }) @IsInt() @Min(1) indicatorNo!: number;
  @ApiProperty({ enum: CASE_GROUNDS, description: 'ineffective-action 行动不力 | lagging-work 工作滞后 | little-effect 成效不明显' }) @IsIn(CASE_GROUNDS) ground!: CaseGroundKind;
  @ApiProperty({ example: '2023-08', description: 'the ranking period the ground concerns (YYYY-MM, YYYY-Qn or YYYY)' }) @Matches(PERIOD_PATTERN) period!: string;
  @ApiProperty({ description: 'what the unit did or failed to do' }) @IsString() @MinLength(2) @MaxLength(2000) note!: string;
}

class AcknowledgeDto {
  @ApiPropertyOptional({ description: 'e.g. who in the unit is in charge of the rectification' }) @IsOptional() @IsString() @MaxLength(TEXT) note?: string;
}

class PlanDto {
  @ApiProperty({ description: '整改方案: the rectification plan' }) @IsString() @MinLength(1) @MaxLength(TEXT) plan!: string;
  @ApiProperty({ example: '2023-11-30', description: 'the day the unit commits to finish rectifying: its feedback is due by the end of it' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  rectifyBy!: string;
}

class FeedbackDto {
  @ApiProperty({ description: '整改反馈: what was done and with what effect' }) @IsString() @MinLength(1) @MaxLength(TEXT) feedback!: string;
}

class ReviewDto {
  @ApiProperty({ enum: ['accept', 'request-more'] }) @IsIn(['accept', 'request-more']) decision!: 'accept' | 'request-more';
  // Checked here so a request for more without a comment names `comment`, the field the client sent (the decider says `reason`).
  @ApiPropertyOptional({ description: 'required to request more' })
  @ValidateIf((o: ReviewDto) => o.decision === 'request-more' || o.comment !== undefined)
  @IsString()
  @Matches(/\S/)
  @MaxLength(TEXT)
  comment?: string;
}

class EscalateDto {
  @ApiProperty({ enum: ESCALATION_KINDS, description: 'public-notice 通报 | admonitory-talk 约谈' }) @IsIn(ESCALATION_KINDS) kind!: EscalationKind;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) reason!: string;
}

class LeaderReportDto {
  @ApiProperty({ description: 'the supervision result reported to the county leaders' }) @IsString() @MinLength(2) @MaxLength(TEXT) summary!: string;
}

class CloseDto {
  @ApiProperty({ enum: CLOSE_REASONS }) @IsIn(CLOSE_REASONS) reason!: CloseReason;
  @ApiProperty({ description: 'the explanation recorded with the closing' }) @IsString() @MinLength(2) @MaxLength(2000) text!: string;
}

class CaseParams {
  @IsString() planId!: string;
  @IsString() unitId!: string;
  @IsString() indicatorNo!: string;
  @IsString() caseNo!: string;
}

const AS_OF = { name: 'asOf', required: false, description: 'ISO date-time: as known then, re-derived from the events recorded up to then' } as const;

/** The board's cases, one page of them, and the moment their ages and overdue flags are worked out at. */
export interface BoardPage extends Page<BoardRow> {
  asOf: string;
}

@ApiTags('supervision')
@Controller('plans/:planId/supervision')
export class SupervisionController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('board')
  @ApiOperation({ summary: 'The supervision board: cases with age, current step, next deadline, overdue flags and escalations (a unit’s people see their own unit’s)' })
  @ApiQuery({ name: 'unitId', required: false })
  @ApiQuery({ name: 'indicatorNo', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'closed', 'all'], description: 'default open' })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false })
  async board(
    @Param('planId') planId: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('unitId') unitId?: string,
    @Query('indicatorNo') indicatorNo?: string,
    @Query('status') status?: string,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<BoardPage> {
    if (status !== undefined && !['open', 'closed', 'all'].includes(status)) throw badRequest('status', 'open | closed | all');
    const filter: BoardFilter = {
      ...(unitId !== undefined ? { unitId } : {}),
      ...(indicatorNo !== undefined ? { indicatorNo: positiveInt('indicatorNo', indicatorNo) } : {}),
      ...(status !== undefined ? { status: status as BoardFilter['status'] } : {}),
    };
    const board = await this.queries.execute(new GetSupervisionBoard(principalOf(req), planId, filter, at));
    return { ...pageOf(board.cases, (c) => `${c.unitId}/${c.indicatorNo}/${c.caseNo}`, { after, limit }), asOf: board.asOf };
  }

  @Post('cases')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({
    summary:
      'Open a case by hand for a red warning of a ranking period (supervisor); published quarters open theirs automatically. 201 with the case’s Location; 200 when the unit’s open case takes the warning on instead',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async open(@Param('planId') planId: string, @Body() body: OpenDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<CommandResult> {
    const result: CommandResult = await this.commands.execute(new OpenCaseByHand({ planId, ...body }, commandMeta(req, this.clock, { reason: body.note }), executeOptions(req)));
    return this.#created(result, res);
  }

  @Post('cases/on-ground')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Open a case on a ground the plan names (行动不力、工作滞后、成效不明显), whatever the colour (supervisor); 201 with the case’s Location' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async openOnGround(
    @Param('planId') planId: string,
    @Body() body: OnGroundDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResult> {
    const { unitId, indicatorNo, ground, period, note } = body;
    return this.#created(await this.#run(req, { type: 'supervision.OpenOnGround', data: { planId, unitId, indicatorNo, ground, period, note } }, note), res);
  }

  @Get('cases/:unitId/:indicatorNo/:caseNo')
  @ApiOperation({ summary: 'A case’s page: warnings, every step with its deadline, reviews, escalations, reports to leaders, closing and history (ETag: its revision)' })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false })
  async case(@Param() p: CaseParams, @Req() req: AuthenticatedRequest, @ReadAtParam() at: ReadAt, @Res({ passthrough: true }) res: Response): Promise<CaseView> {
    const view = await this.queries.execute(new GetCase(principalOf(req), refOf(p), at));
    res.setHeader('ETag', `"${view.revision}"`);
    return view;
  }

  @Post('cases/:unitId/:indicatorNo/:caseNo/acknowledge')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Acknowledge the case (the unit’s head or reporter)' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  acknowledge(@Param() p: CaseParams, @Body() body: AcknowledgeDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'supervision.Acknowledge', data: { ...refOf(p), ...(body.note ? { note: body.note } : {}) } });
  }

  @Post('cases/:unitId/:indicatorNo/:caseNo/plan')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Submit the rectification plan with the unit’s own completion date (the unit’s head or reporter)' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  plan(@Param() p: CaseParams, @Body() body: PlanDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'supervision.SubmitRectificationPlan', data: { ...refOf(p), plan: body.plan, rectifyBy: body.rectifyBy } });
  }

  @Post('cases/:unitId/:indicatorNo/:caseNo/feedback')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Submit the rectification feedback (the unit’s head or reporter)' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  feedback(@Param() p: CaseParams, @Body() body: FeedbackDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'supervision.SubmitFeedback', data: { ...refOf(p), feedback: body.feedback } });
  }

  @Post('cases/:unitId/:indicatorNo/:caseNo/review')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Review the feedback (or the plan, before feedback): accept, or request more with a comment (supervisor)' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  review(@Param() p: CaseParams, @Body() body: ReviewDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'supervision.Review', data: { ...refOf(p), decision: body.decision, ...(body.comment ? { comment: body.comment } : {}) } }, body.comment);
  }

  @Post('cases/:unitId/:indicatorNo/:caseNo/escalations')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Escalate: a public notice (通报) or an admonitory talk (约谈), with a reason (supervisor)' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  escalate(@Param() p: CaseParams, @Body() body: EscalateDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'supervision.Escalate', data: { ...refOf(p), kind: body.kind } }, body.reason);
  }

  @Post('cases/:unitId/:indicatorNo/:caseNo/leader-reports')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Report the case’s result to the county leaders (supervisor)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  reportToLeaders(@Param() p: CaseParams, @Body() body: LeaderReportDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'supervision.ReportToLeaders', data: { ...refOf(p), summary: body.summary } });
  }

  @Post('cases/:unitId/:indicatorNo/:caseNo/close')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({
    summary: 'Close with a reason: warning-improved (the latest warning is no longer red), rectification-accepted (feedback accepted) or cleared-by-correction (supervisor)',
  })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  close(@Param() p: CaseParams, @Body() body: CloseDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'supervision.Close', data: { ...refOf(p), reason: body.reason, text: body.text } }, body.text);
  }

  /** Issue 14: a case opened answers 201 with where it is read; a warning taken on by the open case creates nothing (200). */
  #created(result: CommandResult, res: Response): CommandResult {
    const opened = result.events.find((e) => e.type === 'CaseOpened')?.data as CaseRef | undefined;
    if (opened) res.setHeader('Location', apiPath('plans', opened.planId, 'supervision', 'cases', opened.unitId, opened.indicatorNo, opened.caseNo));
    else res.status(200);
    return result;
  }

  #run(req: AuthenticatedRequest, command: Omit<SupervisionRequest, 'meta'>, reason?: string): Promise<CommandResult> {
    const meta = commandMeta(req, this.clock, reason ? { reason } : {});
    return this.commands.execute(new SupervisionBusCommand({ ...command, meta } as SupervisionRequest, executeOptions(req)));
  }
}

function refOf(p: CaseParams): CaseRef {
  return { planId: p.planId, unitId: p.unitId, indicatorNo: positiveInt('indicatorNo', p.indicatorNo), caseNo: positiveInt('caseNo', p.caseNo) };
}

function positiveInt(field: string, text: string): number {
  if (!/^[1-9]\d{0,5}$/.test(text)) throw badRequest(field, `"${text}" is not a positive whole number`);
  return Number(text);
}
