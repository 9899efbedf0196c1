import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import type { Clock } from '../../engine/clock.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { apiPath } from '../../engine/nest/http/location.js';
import { pageOf, type Page } from '../../engine/nest/http/paging.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { CONSEQUENCE_KINDS, PROMOTION_PERSONS, type Consequence } from '../plan/plan-file.js';
import type { EvidenceItem, LineEvidence } from './rewards.evidence.js';
import { CONFLICT_DECISIONS, type ConflictDecision, type Decision, type ReviewRef } from './rewards.events.js';
import { RewardsBusCommand, type RewardsRequest } from './rewards.handlers.js';
import type { DecisionListView, ProposalView } from './review.projection.js';
import { GetDecisions, GetLineEvidence, GetProposal } from './review.queries.js';

const TEXT = 2000;

/** The decision list as one page of its decisions (issue 14's `{ items, next }`), the rest of the list beside them. */
export interface DecisionsPage extends Omit<DecisionListView, 'decisions'>, Page<Decision> {}

/** A line's evidence as one page of its events, oldest first, the line beside them. */
export interface LineEvidencePage extends Omit<LineEvidence, 'items'>, Page<EvidenceItem> {}

class OptionalReasonDto {
  @ApiPropertyOptional({ description: 'Why (required by the rules for a regeneration, an amendment, a conflict decision and a send-back; recorded with the event)' })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  reason?: string;
}

class ConsequenceDto {
  @ApiProperty({ enum: CONSEQUENCE_KINDS }) @IsIn(CONSEQUENCE_KINDS) kind!: Consequence['kind'];
  @ApiProperty({ description: 'The wording, e.g. 县财政扣减1个月工作经费' }) @IsString() @MinLength(1) @MaxLength(TEXT) zh!: string;
  @ApiPropertyOptional({ enum: PROMOTION_PERSONS, isArray: true, description: 'for recommend-for-promotion and pause-promotion' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(PROMOTION_PERSONS, { each: true })
  persons?: string[];
  @ApiPropertyOptional({ description: 'for pause-promotion (> 0) and working-funds (≠ 0; negative deducts)' }) @IsOptional() @IsInt() months?: number;
}

class AmendLineDto extends OptionalReasonDto {
  @ApiPropertyOptional({ description: 'A reward tier of the plan (e.g. first, third); brings its consequences unless consequences are given' })
  @ValidateIf((o) => o.tier !== undefined)
  @IsString()
  @MaxLength(100)
  tier?: string;

  @ApiPropertyOptional({ type: [ConsequenceDto] })
  @ValidateIf((o) => o.consequences !== undefined) // null is not "absent": it is refused, not mapped over
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ConsequenceDto)
  consequences?: ConsequenceDto[];

  @ApiPropertyOptional({ description: 'true leaves the line out of the list; false puts it back' }) @ValidateIf((o) => o.excluded !== undefined) @IsBoolean() excluded?: boolean;
}

class DecideConflictDto extends OptionalReasonDto {
  @ApiProperty({ enum: CONFLICT_DECISIONS, description: "The unit's one consequence: the reward tier's, the penalty tier's, or none" })
  @IsIn(CONFLICT_DECISIONS)
  decision!: ConflictDecision;
}

class ApproveDto extends OptionalReasonDto {
  @ApiProperty({ description: 'listHash of the submitted proposal as the approver read it: the approval covers exactly that list' })
  @Matches(/^[0-9a-f]{64}$/)
  listHash!: string;
}

@ApiTags('rewards')
@Controller('plans/:planId/rewards/:year')
export class RewardsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('proposal')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({
    summary:
      'Generate the year-end proposal from the annual ranks (office): 201 with its Location the first time; while a draft, regenerate it with a reason (200, it replaces the recorded one)',
  })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async generate(
    @Param('planId') planId: string,
    @Param('year') year: string,
    @Body() body: OptionalReasonDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResult> {
    const result = await this.#run(req, { type: 'rewards.GenerateProposal', data: refOf(planId, year) }, body.reason);
    // Issue 14: the first generation creates the year's proposal; a regeneration replaces it.
    const generated = result.events.find((e) => e.type === 'ProposalGenerated')?.data as { generation?: number } | undefined;
    if (generated?.generation === 1) res.setHeader('Location', apiPath('plans', planId, 'rewards', year, 'proposal'));
    else res.status(200);
    return result;
  }

  @Get('proposal')
  @ApiOperation({
    summary:
      "The proposal: one line per unit (its indicators' annual ranks and basis beneath it; its tier and consequences, or its conflict and the office's decision) with amendments, and every step (ETag: its revision)",
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the proposal as it was known then, re-derived from the events' })
  @ApiQuery({ name: 'minPosition', required: false })
  async proposal(
    @Param('planId') planId: string,
    @Param('year') year: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ProposalView> {
    const view = await this.queries.execute(new GetProposal(principalOf(req), refOf(planId, year), at));
    res.setHeader('ETag', `"${view.revision}"`);
    return view;
  }

  @Post('lines/:lineId/amend')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Amend a line of the draft (office), with a reason: change its tier or consequences, or exclude / include it' })
  @ApiHeader({ name: 'If-Match', required: false })
  amend(@Param('planId') planId: string, @Param('year') year: string, @Param('lineId') lineId: string, @Body() body: AmendLineDto, @Req() req: AuthenticatedRequest) {
    const { reason, tier, consequences, excluded } = body;
    return this.#run(
      req,
      {
        type: 'rewards.AmendLine',
        data: {
          ...refOf(planId, year),
          lineId,
          ...(tier !== undefined ? { tier } : {}),
          ...(consequences !== undefined ? { consequences: consequences.map((c) => ({ ...c }) as Consequence) } : {}),
          ...(excluded !== undefined ? { excluded } : {}),
        },
      },
      reason,
    );
  }

  @Post('lines/:lineId/decide')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({
    summary:
      "Decide a conflict (office), with a reason: a unit whose indicators fall in different tiers gets reward, penalty or neither; the proposal can't be submitted until each is decided",
  })
  @ApiHeader({ name: 'If-Match', required: false })
  decide(@Param('planId') planId: string, @Param('year') year: string, @Param('lineId') lineId: string, @Body() body: DecideConflictDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'rewards.DecideConflict', data: { ...refOf(planId, year), lineId, decision: body.decision } }, body.reason);
  }

  @Post('submit')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Submit the proposal to the county government for approval (office); the answer names its listHash' })
  submit(@Param('planId') planId: string, @Param('year') year: string, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'rewards.SubmitForApproval', data: refOf(planId, year) });
  }

  @Post('approve')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Approve exactly the submitted list (county leader; not anyone who generated, amended or submitted it): the decisions are recorded' })
  approve(@Param('planId') planId: string, @Param('year') year: string, @Body() body: ApproveDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'rewards.Approve', data: { ...refOf(planId, year), listHash: body.listHash } }, body.reason);
  }

  @Post('send-back')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Send the submitted proposal back to the office with a reason (county leader); it becomes a draft again' })
  sendBack(@Param('planId') planId: string, @Param('year') year: string, @Body() body: OptionalReasonDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'rewards.SendBack', data: refOf(planId, year) }, body.reason);
  }

  @Post('publish')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Publish the approved decisions (office): every unit can read them from then on' })
  publish(@Param('planId') planId: string, @Param('year') year: string, @Body() body: OptionalReasonDto, @Req() req: AuthenticatedRequest) {
    // The reason is optional for API clients; the web UI asks for it (issue 15) and it is recorded with the event.
    return this.#run(req, { type: 'rewards.Publish', data: refOf(planId, year) }, body?.reason);
  }

  @Get('decisions')
  @ApiOperation({ summary: 'The decision list approved by the county government, one page of decisions at a time (county roles from approval; everyone once published)' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the list as it was known then' })
  @ApiQuery({ name: 'minPosition', required: false })
  async decisions(
    @Param('planId') planId: string,
    @Param('year') year: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<DecisionsPage> {
    const { decisions, ...list } = await this.queries.execute(new GetDecisions(principalOf(req), refOf(planId, year), at));
    // Issue 14: the decisions are the list's items; its approval, counts and excluded lines stay beside them.
    return { ...list, ...pageOf(decisions, (d) => d.lineId, { after, limit }) };
  }

  @Get('lines/:lineId/evidence')
  @ApiOperation({
    summary:
      'The events behind a line, one page at a time: figures, standings (with their causes), corrections, the rule versions, the proposal, amendments with reasons, submission, approval and publication — each with type, data, who, when, why and position',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: only the events recorded by then' })
  async evidence(
    @Param('planId') planId: string,
    @Param('year') year: string,
    @Param('lineId') lineId: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<LineEvidencePage> {
    const { items, ...evidence } = await this.queries.execute(new GetLineEvidence(principalOf(req), refOf(planId, year), lineId, at));
    // An item is keyed by its event's position (with its kind, which says why the event is there).
    return { ...evidence, ...pageOf(items, (e) => `${e.position}/${e.kind}`, { after, limit }) };
  }

  #run(req: AuthenticatedRequest, command: Omit<RewardsRequest, 'meta'>, reason?: string): Promise<CommandResult> {
    const meta = commandMeta(req, this.clock, reason ? { reason } : {});
    return this.commands.execute(new RewardsBusCommand({ ...command, meta } as RewardsRequest, executeOptions(req)));
  }
}

function refOf(planId: string, year: string): ReviewRef {
  if (!/^\d{4}$/.test(year)) throw badRequest('year', `"${year}" is not a year written YYYY`);
  return { planId, year: Number(year) };
}
