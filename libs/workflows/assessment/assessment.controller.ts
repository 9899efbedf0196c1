import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Clock } from '../../engine/clock.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { pageOf, type Page } from '../../engine/nest/http/paging.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { AssessmentBusCommand, type AssessmentRequest } from './assessment.handlers.js';
import type { NotificationView, QuarterView } from './assessment.projection.js';
import { GetKnownQuarter, GetLeaderNotifications, GetPublishedQuarter, GetQuarter, GetQuarterDiff, GetUnitNotifications } from './assessment.queries.js';
import { QUARTER_PATTERN as QUARTER } from '../plan/period.js';

const TEXT = 8000;

class PrepareDto {
  @ApiPropertyOptional({ description: 'required when preparing again after the meeting was recorded (the meeting heard the earlier figures)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

class MeetingDto {
  @ApiProperty({ example: '2023-10-12', description: 'the day the leading group met (YYYY-MM-DD)' }) @Matches(/^\d{4}-\d{2}-\d{2}$/) date!: string;
  @ApiProperty({ type: [String], example: ['文晓凡', '胡炜哲'], description: '出席' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  attendees!: string[];
  @ApiProperty({ description: '会议结论' }) @IsString() @MinLength(1) @MaxLength(TEXT) conclusions!: string;
  @ApiProperty({ description: '下步重点工作' }) @IsString() @MinLength(1) @MaxLength(TEXT) nextSteps!: string;
  @ApiProperty({ description: '对策建议' }) @IsString() @MaxLength(TEXT) suggestions!: string;
  @ApiPropertyOptional({ description: 'required to amend a meeting already recorded' }) @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

const AS_OF = { name: 'asOf', required: false, description: 'ISO date-time: as it was known then, re-derived from the events recorded up to then' } as const;

@ApiTags('assessment')
@Controller('plans/:planId/assessment')
export class AssessmentController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('quarters/:quarter/prepare')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Prepare the quarter’s figures (office): every indicator’s value, rank, warning and score from the ranking events; may be repeated until published' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  prepare(@Param('planId') planId: string, @Param('quarter') quarter: string, @Body() body: PrepareDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'assessment.Prepare', data: { planId, quarter: checkQuarter(quarter) } }, body.reason);
  }

  @Put('quarters/:quarter/meeting')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Record the leading group’s meeting (office): date, attendees, conclusions, next steps, suggestions; amending needs a reason' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  meeting(@Param('planId') planId: string, @Param('quarter') quarter: string, @Body() body: MeetingDto, @Req() req: AuthenticatedRequest) {
    const { reason, ...meeting } = body;
    return this.#run(req, { type: 'assessment.RecordMeeting', data: { planId, quarter: checkQuarter(quarter), ...meeting } }, reason);
  }

  @Post('quarters/:quarter/publish')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Publish the prepared snapshot (office), frozen; every responsible unit and county leader is notified; red rows open supervision cases' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  publish(@Param('planId') planId: string, @Param('quarter') quarter: string, @Body() body: PrepareDto, @Req() req: AuthenticatedRequest) {
    // The reason is optional for API clients; the web UI asks for it (issue 15) and it is recorded with the event.
    return this.#run(req, { type: 'assessment.Publish', data: { planId, quarter: checkQuarter(quarter) } }, body?.reason);
  }

  @Get('quarters/:quarter')
  @ApiOperation({ summary: 'The quarter’s assessment: prepared snapshot, meeting, published snapshot and every step (ETag: its revision)' })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false })
  async view(@Param('planId') planId: string, @Param('quarter') quarter: string, @ReadAtParam() at: ReadAt, @Res({ passthrough: true }) res: Response): Promise<QuarterView> {
    const view = await this.queries.execute(new GetQuarter(planId, checkQuarter(quarter), at));
    res.setHeader('ETag', `"${view.revision}"`);
    return view;
  }

  @Get('quarters/:quarter/published')
  @ApiOperation({ summary: '"As presented at the meeting": the frozen published snapshot, untouched by later corrections' })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false })
  published(@Param('planId') planId: string, @Param('quarter') quarter: string, @ReadAtParam() at: ReadAt) {
    return this.queries.execute(new GetPublishedQuarter(planId, checkQuarter(quarter), at));
  }

  @Get('quarters/:quarter/known')
  @ApiOperation({ summary: '"As known now" (or as known at ?asOf=): the same snapshot shape, re-derived from the ranking events' })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false, description: 'a command’s X-Position: the answer includes it' })
  known(@Param('planId') planId: string, @Param('quarter') quarter: string, @ReadAtParam() at: ReadAt) {
    return this.queries.execute(new GetKnownQuarter(planId, checkQuarter(quarter), at));
  }

  @Get('quarters/:quarter/diff')
  @ApiOperation({
    summary:
      'As presented against as known now (or at ?asOf=): rows whose value, rank, warning or score differ, with the events since the snapshot that touch them (type, who, when, reason)',
  })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false, description: 'a command’s X-Position: the answer includes it' })
  diff(@Param('planId') planId: string, @Param('quarter') quarter: string, @ReadAtParam() at: ReadAt) {
    return this.queries.execute(new GetQuarterDiff(planId, checkQuarter(quarter), at));
  }

  @Get('units/:unitId/notifications')
  @ApiOperation({ summary: 'A unit’s dashboard: the published quarters it was notified of, with its own rows' })
  @ApiQuery({ name: 'minPosition', required: false })
  async unitNotifications(
    @Param('planId') planId: string,
    @Param('unitId') unitId: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<Page<NotificationView> & { planId: string; unitId: string }> {
    const { notifications } = await this.queries.execute(new GetUnitNotifications(principalOf(req), planId, unitId, at));
    // Issue 14: one list shape; the plan and unit stay beside the page, as the board keeps its asOf.
    return { ...pageOf(notifications, notificationKeyOf, { after, limit }), planId, unitId };
  }

  @Get('leaders/notifications')
  @ApiOperation({ summary: 'What the county leaders were sent: each published quarter, with every row' })
  @ApiQuery({ name: 'minPosition', required: false })
  async leaderNotifications(
    @Param('planId') planId: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<Page<NotificationView> & { planId: string }> {
    const { notifications } = await this.queries.execute(new GetLeaderNotifications(principalOf(req), planId, at));
    return { ...pageOf(notifications, notificationKeyOf, { after, limit }), planId };
  }

  #run(req: AuthenticatedRequest, command: Omit<AssessmentRequest, 'meta'>, reason?: string): Promise<CommandResult> {
    const meta = commandMeta(req, this.clock, reason ? { reason } : {});
    return this.commands.execute(new AssessmentBusCommand({ ...command, meta } as AssessmentRequest, executeOptions(req)));
  }
}

/** A notification's key within its list: one per recipient and quarter. */
const notificationKeyOf = (n: NotificationView) => `${n.recipient}/${n.quarter}`;

function checkQuarter(quarter: string): string {
  if (!QUARTER.test(quarter)) throw badRequest('quarter', `"${quarter}" is not a quarter written YYYY-Qn`);
  return quarter;
}
