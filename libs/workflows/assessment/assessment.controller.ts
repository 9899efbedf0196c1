import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { Engine } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { parseAsOf } from '../../engine/projections/as-of.js';
import { hasRole, mayReadUnit } from '../access/access.js';
import { QUARTER_PATTERN as QUARTER } from '../plan/period.js';
import { ASSESSMENT_PROJECTION, type NotificationView, type QuarterView } from './assessment.projection.js';
import { AssessmentService, type AssessmentRequest } from './assessment.service.js';

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
@Controller('assessment/:planId')
export class AssessmentController {
  constructor(
    private readonly assessment: AssessmentService,
    private readonly engine: Engine,
  ) {}

  @Post('quarters/:quarter/prepare')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Prepare the quarter’s figures (office): every indicator’s value, rank, warning and score from the ranking events; may be repeated until published' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async prepare(@Param('planId') planId: string, @Param('quarter') quarter: string, @Body() body: PrepareDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'assessment.Prepare', data: { planId, quarter: checkQuarter(quarter) } }, body.reason);
  }

  @Put('quarters/:quarter/meeting')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Record the leading group’s meeting (office): date, attendees, conclusions, next steps, suggestions; amending needs a reason' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async meeting(@Param('planId') planId: string, @Param('quarter') quarter: string, @Body() body: MeetingDto, @Req() req: AuthenticatedRequest) {
    const { reason, ...meeting } = body;
    return this.#run(req, { type: 'assessment.RecordMeeting', data: { planId, quarter: checkQuarter(quarter), ...meeting } }, reason);
  }

  @Post('quarters/:quarter/publish')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Publish the prepared snapshot (office), frozen; every responsible unit and county leader is notified; red rows open supervision cases' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async publish(@Param('planId') planId: string, @Param('quarter') quarter: string, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'assessment.Publish', data: { planId, quarter: checkQuarter(quarter) } });
  }

  @Get('quarters/:quarter')
  @ApiOperation({ summary: 'The quarter’s assessment: prepared snapshot, meeting, published snapshot and every step (ETag: its revision)' })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false })
  async view(@Param('planId') planId: string, @Param('quarter') quarter: string, @Req() req: AuthenticatedRequest, @Query('asOf') asOf?: string, @Query('minPosition') minPosition?: string): Promise<QuarterView> {
    principalOf(req);
    const moment = parseAsOf(asOf, undefined);
    const view = await this.assessment.view(planId, checkQuarter(quarter), moment, minPosition);
    if (!view) throw new DomainError('quarter-not-found', `nothing has been recorded for ${quarter} ${moment ? 'by then' : 'yet'}`, { status: 404 });
    (req.res as { setHeader?: (k: string, v: string) => void } | undefined)?.setHeader?.('ETag', `"${view.revision}"`);
    return view;
  }

  @Get('quarters/:quarter/published')
  @ApiOperation({ summary: '"As presented at the meeting": the frozen published snapshot, untouched by later corrections' })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false })
  async published(@Param('planId') planId: string, @Param('quarter') quarter: string, @Req() req: AuthenticatedRequest, @Query('asOf') asOf?: string, @Query('minPosition') minPosition?: string) {
    principalOf(req);
    return this.assessment.published(planId, checkQuarter(quarter), parseAsOf(asOf, undefined), minPosition);
  }

  @Get('quarters/:quarter/known')
  @ApiOperation({ summary: '"As known now" (or as known at ?asOf=): the same snapshot shape, re-derived from the ranking events' })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false, description: 'a command’s X-Position: the answer includes it' })
  async known(@Param('planId') planId: string, @Param('quarter') quarter: string, @Req() req: AuthenticatedRequest, @Query('asOf') asOf?: string, @Query('minPosition') minPosition?: string) {
    principalOf(req);
    const moment = parseAsOf(asOf, undefined);
    return { ...(await this.assessment.known(planId, checkQuarter(quarter), moment, minPosition)), ...(moment?.time ? { asOf: moment.time } : {}) };
  }

  @Get('quarters/:quarter/diff')
  @ApiOperation({ summary: 'As presented against as known now (or at ?asOf=): rows whose value, rank, warning or score differ, with the events since the snapshot that touch them (type, who, when, reason)' })
  @ApiQuery(AS_OF)
  @ApiQuery({ name: 'minPosition', required: false, description: 'a command’s X-Position: the answer includes it' })
  async diff(@Param('planId') planId: string, @Param('quarter') quarter: string, @Req() req: AuthenticatedRequest, @Query('asOf') asOf?: string, @Query('minPosition') minPosition?: string) {
    principalOf(req);
    const moment = parseAsOf(asOf, undefined);
    return { ...(await this.assessment.diff(planId, checkQuarter(quarter), moment, minPosition)), ...(moment?.time ? { asOf: moment.time } : {}) };
  }

  @Get('units/:unitId/notifications')
  @ApiOperation({ summary: 'A unit’s dashboard: the published quarters it was notified of, with its own rows' })
  @ApiQuery({ name: 'minPosition', required: false })
  async unitNotifications(@Param('planId') planId: string, @Param('unitId') unitId: string, @Req() req: AuthenticatedRequest, @Query('minPosition') minPosition?: string) {
    if (!mayReadUnit(principalOf(req), unitId)) throw new ForbiddenError(`you may read only your own unit’s notifications, not ${unitId}’s`);
    return { planId, unitId, notifications: await this.#notifications(planId, `unit:${unitId}/`, minPosition) };
  }

  @Get('leaders/notifications')
  @ApiOperation({ summary: 'What the county leaders were sent: each published quarter, with its red rows' })
  @ApiQuery({ name: 'minPosition', required: false })
  async leaderNotifications(@Param('planId') planId: string, @Req() req: AuthenticatedRequest, @Query('minPosition') minPosition?: string) {
    if (!hasRole(principalOf(req), 'leader', 'office', 'supervisor', 'auditor', 'admin')) throw new ForbiddenError('the leaders’ notifications are for the county leaders and county-level roles');
    const all = await this.#notifications(planId, 'leader:', minPosition);
    return { planId, notifications: all };
  }

  async #notifications(planId: string, recipientPrefix: string, minPosition?: string): Promise<NotificationView[]> {
    await this.engine.waitFor(minPosition, [ASSESSMENT_PROJECTION]);
    return (await this.engine.query(ASSESSMENT_PROJECTION).list<NotificationView>('notifications', `${planId}/${recipientPrefix}`)).map((r) => r.doc);
  }

  #run(req: AuthenticatedRequest, command: Omit<AssessmentRequest, 'meta'>, reason?: string): Promise<CommandResult> {
    const options = executeOptions(req);
    return this.assessment.handle({ ...command, meta: commandMeta(req, this.engine.clock, reason ? { reason } : {}) } as AssessmentRequest, options);
  }
}

function checkQuarter(quarter: string): string {
  if (!QUARTER.test(quarter)) throw badRequest('quarter', `"${quarter}" is not a quarter written YYYY-Qn`);
  return quarter;
}
