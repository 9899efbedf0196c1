import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { Engine } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { parseAsOf } from '../../engine/projections/as-of.js';
import { hasRole, mayReadUnit } from '../access/access.js';
import { CONSEQUENCE_KINDS, PROMOTION_PERSONS, type Consequence } from '../plan/plan-file.js';
import type { RewardsCommand } from './rewards.decider.js';
import { lineEvidence, type LineEvidence } from './rewards.evidence.js';
import { reviewStream, type ReviewRef } from './rewards.events.js';
import { RewardsService } from './rewards.service.js';
import { readDecisions, readProposal, reviewProjection, type DecisionListView, type ProposalView } from './review.projection.js';

const TEXT = 2000;

class OptionalReasonDto {
  @ApiPropertyOptional({ description: 'Why (required by the rules for a regeneration, an amendment and a send-back; recorded with the event)' })
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

class ApproveDto extends OptionalReasonDto {
  @ApiProperty({ description: 'listHash of the submitted proposal as the approver read it: the approval covers exactly that list' })
  @Matches(/^[0-9a-f]{64}$/)
  listHash!: string;
}

/** Every county-level role reads the proposal; units read only what is published. */
const mayReadProposal = (p: Principal) => hasRole(p, 'office', 'supervisor', 'leader', 'auditor', 'admin', 'system');

@ApiTags('rewards')
@Controller('rewards/:planId/:year')
export class RewardsController {
  constructor(
    private readonly rewards: RewardsService,
    private readonly engine: Engine,
  ) {}

  @Post('proposal')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Generate the year-end proposal from the annual ranks (office); while a draft, regenerate it with a reason' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async generate(@Param('planId') planId: string, @Param('year') year: string, @Body() body: OptionalReasonDto, @Req() req: AuthenticatedRequest): Promise<CommandResult> {
    const ref = refOf(planId, year);
    return this.rewards.generate(ref, commandMeta(req, this.engine.clock, body.reason ? { reason: body.reason } : {}), executeOptions(req));
  }

  @Get('proposal')
  @ApiOperation({ summary: 'The proposal: its lines (unit, indicator, annual rank, tier, consequences, basis) with their amendments, and every step (ETag: its revision)' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the proposal as it was known then, re-derived from the events' })
  @ApiQuery({ name: 'minPosition', required: false })
  async proposal(@Param('planId') planId: string, @Param('year') year: string, @Req() req: AuthenticatedRequest, @Query('asOf') asOf?: string, @Query('minPosition') minPosition?: string): Promise<ProposalView> {
    if (!mayReadProposal(principalOf(req))) throw new ForbiddenError('the year-end proposal is read by the office, the county leaders, supervisors and auditors; units read the published decisions');
    const ref = refOf(planId, year);
    const moment = parseAsOf(asOf, undefined);
    const docs = await this.engine.docs(reviewProjection, { asOf: moment, minPosition, streams: () => [reviewStream(ref)] });
    const view = await readProposal(docs, ref.planId, ref.year);
    if (!view) {
      await this.rewards.plan(ref);
      throw new DomainError('proposal-not-found', `no ${ref.year} proposal of ${ref.planId} ${moment ? 'was known then' : 'has been generated'}`, { status: 404 });
    }
    req.res?.setHeader('ETag', `"${view.revision}"`);
    return view;
  }

  @Post('lines/:lineId/amend')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Amend a line of the draft (office), with a reason: change its tier or consequences, or exclude / include it' })
  @ApiHeader({ name: 'If-Match', required: false })
  async amend(@Param('planId') planId: string, @Param('year') year: string, @Param('lineId') lineId: string, @Body() body: AmendLineDto, @Req() req: AuthenticatedRequest) {
    const { reason, tier, consequences, excluded } = body;
    return this.#run(req, {
      type: 'rewards.AmendLine',
      data: {
        ...refOf(planId, year),
        lineId,
        ...(tier !== undefined ? { tier } : {}),
        ...(consequences !== undefined ? { consequences: consequences.map((c) => ({ ...c }) as Consequence) } : {}),
        ...(excluded !== undefined ? { excluded } : {}),
      },
    }, reason);
  }

  @Post('submit')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Submit the proposal to the county government for approval (office); the answer names its listHash' })
  async submit(@Param('planId') planId: string, @Param('year') year: string, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'rewards.SubmitForApproval', data: refOf(planId, year) });
  }

  @Post('approve')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Approve exactly the submitted list (county leader; not anyone who generated, amended or submitted it): the decisions are recorded' })
  async approve(@Param('planId') planId: string, @Param('year') year: string, @Body() body: ApproveDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'rewards.Approve', data: { ...refOf(planId, year), listHash: body.listHash } }, body.reason);
  }

  @Post('send-back')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Send the submitted proposal back to the office with a reason (county leader); it becomes a draft again' })
  async sendBack(@Param('planId') planId: string, @Param('year') year: string, @Body() body: OptionalReasonDto, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'rewards.SendBack', data: refOf(planId, year) }, body.reason);
  }

  @Post('publish')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Publish the approved decisions (office): every unit can read them from then on' })
  async publish(@Param('planId') planId: string, @Param('year') year: string, @Req() req: AuthenticatedRequest) {
    return this.#run(req, { type: 'rewards.Publish', data: refOf(planId, year) });
  }

  @Get('decisions')
  @ApiOperation({ summary: 'The decision list approved by the county government (county roles from approval; everyone once published)' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the list as it was known then' })
  @ApiQuery({ name: 'minPosition', required: false })
  async decisions(@Param('planId') planId: string, @Param('year') year: string, @Req() req: AuthenticatedRequest, @Query('asOf') asOf?: string, @Query('minPosition') minPosition?: string): Promise<DecisionListView> {
    const ref = refOf(planId, year);
    const moment = parseAsOf(asOf, undefined);
    const docs = await this.engine.docs(reviewProjection, { asOf: moment, minPosition, streams: () => [reviewStream(ref)] });
    const list = await readDecisions(docs, ref.planId, ref.year);
    const principal = principalOf(req);
    if (!list || (list.status !== 'published' && !mayReadProposal(principal))) {
      await this.rewards.plan(ref);
      throw new DomainError('decisions-not-found', `no ${ref.year} decisions of ${ref.planId} ${moment ? 'were' : 'have been'} ${mayReadProposal(principal) ? 'approved' : 'published'}${moment ? ' then' : ' yet'}`, { status: 404 });
    }
    return list;
  }

  @Get('lines/:lineId/evidence')
  @ApiOperation({
    summary:
      'The events behind a line: figures, standings (with their causes), corrections, the rule versions, the proposal, amendments with reasons, submission, approval and publication — each with type, data, who, when, why and position',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: only the events recorded by then' })
  async evidence(@Param('planId') planId: string, @Param('year') year: string, @Param('lineId') lineId: string, @Req() req: AuthenticatedRequest, @Query('asOf') asOf?: string): Promise<LineEvidence> {
    const ref = refOf(planId, year);
    await this.rewards.plan(ref);
    const principal = principalOf(req);
    const evidence = await lineEvidence(this.engine.store, ref, lineId, parseAsOf(asOf, undefined));
    // A unit reads the evidence of its own published decisions; everything else is for county roles.
    if (!mayReadProposal(principal) && !(evidence.status === 'published' && mayReadUnit(principal, evidence.line.unitId))) {
      throw new ForbiddenError(`you may read the evidence of your own unit’s published decisions only, not of line ${lineId}`);
    }
    return evidence;
  }

  #run(req: AuthenticatedRequest, command: Omit<RewardsCommand, 'meta'>, reason?: string): Promise<CommandResult> {
    return this.rewards.handle({ ...command, meta: commandMeta(req, this.engine.clock, reason ? { reason } : {}) } as RewardsCommand, executeOptions(req));
  }
}

function refOf(planId: string, year: string): ReviewRef {
  if (!/^\d{4}$/.test(year)) throw badRequest('year', `"${year}" is not a year written YYYY`);
  return { planId, year: Number(year) };
}
