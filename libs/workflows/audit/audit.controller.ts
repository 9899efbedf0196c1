import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { Response } from 'express';
import { parseSealText } from '../../engine/audit/seals.js';
import { principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { apiPath } from '../../engine/nest/http/location.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { limitOf, pageOf as pageOfList, type Page } from '../../engine/nest/http/paging.js';
import { parseAsOf } from '../../engine/projections/as-of.js';
import { ExportUnitHistory, GetAuditDiff, GetSeal, GetAuditView, GetProvenance, GetTimeline, ListSeals, SealRecord, VerifyRecord } from './audit.queries.js';
import { AuditService, toJsonLines, toXlsx, type SealView, type TimelineFilter } from './audit.service.js';
import { VIEWS, type ProvenanceField, type ViewParams } from './views.js';
import { TIMELINE_EVENT_TYPES } from './timeline.projection.js';
import type { StandingCause } from '../ranking/ranking.events.js';
import { isMonth, isPeriod, isQuarter } from '../plan/period.js';

class SealRequestDto {
  @ApiPropertyOptional({ description: 'why this seal is made, recorded with it' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  occasion?: string;
}

class VerifyDto {
  @ApiPropertyOptional({ description: 'an exported seal (the text block) to prove the record up to it unchanged' })
  @IsOptional()
  @IsString()
  @MinLength(20)
  @MaxLength(5000)
  seal?: string;
}

class ExportQuery {
  @ApiProperty({ enum: ['jsonl', 'xlsx'] }) @IsIn(['jsonl', 'xlsx']) format!: 'jsonl' | 'xlsx';
  @ApiPropertyOptional({
    enum: ['hashes', 'bytes'],
    description:
      'hashes (default): the attachments as their events record them (name, type, size, SHA-256); bytes: a zip with export.jsonl, each attachment under attachments/<sha256>, manifest.json and SHA256SUMS (format is then ignored)',
  })
  @IsOptional()
  @IsIn(['hashes', 'bytes'])
  attachments?: 'hashes' | 'bytes';
}

const STANDING_CAUSES = ['first-figures', 'own-figure', 'peer-revision', 'correction', 'rule-change'] as const satisfies readonly StandingCause['kind'][];

const FIELDS: ProvenanceField[] = ['result', 'rank', 'warning', 'score', 'target', 'baseline'];

@ApiTags('audit')
@Controller()
export class AuditController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly audit: AuditService,
  ) {}

  @Get('plans/:planId/audit/units/:unitId/timeline')
  @ApiOperation({ summary: 'Every event that touched a unit, in order, with who, when, on whose behalf, why, and the unit’s standing after each step' })
  @ApiQuery({ name: 'indicatorNo', required: false })
  @ApiQuery({ name: 'period', required: false, description: 'YYYY-MM, YYYY-Qn or YYYY' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO date-time (recorded at or after)' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO date-time (recorded at or before)' })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1–200, default 50' })
  @ApiQuery({ name: 'type', required: false, description: 'event types, comma-separated (e.g. StandingChanged,FigureCorrected)' })
  @ApiQuery({ name: 'cause', required: false, description: 'standing changes with one of these causes: first-figures, own-figure, peer-revision, correction, rule-change' })
  unitTimeline(@Param('planId') planId: string, @Param('unitId') unitId: string, @Req() req: AuthenticatedRequest, @Query() q: Record<string, string | undefined>) {
    return this.queries.execute(new GetTimeline(principalOf(req), planId, { kind: 'unit', unitId }, pageOf(q)));
  }

  @Get('plans/:planId/audit/indicators/:indicatorNo/timeline')
  @ApiOperation({ summary: 'Every event about one indicator across all units (figures, standings and their causes, reports, corrections, cases, decisions)' })
  indicatorTimeline(
    @Param('planId') planId: string,
    @Param('indicatorNo', ParseIntPipe) no: number,
    @Req() req: AuthenticatedRequest,
    @Query() q: Record<string, string | undefined>,
  ) {
    return this.queries.execute(new GetTimeline(principalOf(req), planId, { kind: 'indicator', indicatorNo: no }, pageOf(q)));
  }

  @Get('plans/:planId/audit/cases/:unitId/:indicatorNo/:caseNo/timeline')
  @ApiOperation({ summary: 'Every step of one supervision case, with who, when and why' })
  caseTimeline(
    @Param('planId') planId: string,
    @Param('unitId') unitId: string,
    @Param('indicatorNo', ParseIntPipe) no: number,
    @Param('caseNo', ParseIntPipe) caseNo: number,
    @Req() req: AuthenticatedRequest,
    @Query() q: Record<string, string | undefined>,
  ) {
    const { after, limit, minPosition } = pageOf(q);
    return this.queries.execute(new GetTimeline(principalOf(req), planId, { kind: 'case', unitId, indicatorNo: no, caseNo }, { filter: {}, after, limit, minPosition }));
  }

  @Get('plans/:planId/audit/views/:view')
  @ApiOperation({ summary: `A table or board as known at a moment, re-derived from the events recorded up to then. Views: ${Object.keys(VIEWS).join(', ')}` })
  @ApiQuery({ name: 'asOf', required: true })
  view(@Param('planId') planId: string, @Param('view') view: string, @Req() req: AuthenticatedRequest, @Query() q: Record<string, string | undefined>) {
    const asOf = parseAsOf(q.asOf ?? new Date().toISOString(), undefined)!;
    return this.queries.execute(new GetAuditView(principalOf(req), planId, view, paramsOf(q), asOf));
  }

  @Get('plans/:planId/audit/diff/:view')
  @ApiOperation({ summary: 'A table or board as known at `from` and at `to`: the rows that differ, each with the events between that caused it' })
  @ApiQuery({ name: 'from', required: true, description: 'ISO date-time: the earlier moment' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO date-time: the later moment (default: now)' })
  diff(@Param('planId') planId: string, @Param('view') view: string, @Req() req: AuthenticatedRequest, @Query() q: Record<string, string | undefined>) {
    const from = parseAsOf(q.from, undefined, 'from')?.time;
    if (!from) throw badRequest('from', 'the earlier moment (ISO date-time) is required');
    const to = parseAsOf(q.to ?? new Date().toISOString(), undefined, 'to')!.time!;
    return this.queries.execute(new GetAuditDiff(principalOf(req), planId, view, paramsOf(q), from, to));
  }

  @Get('plans/:planId/audit/provenance/annex2/:period/:indicatorNo/:field')
  @ApiOperation({ summary: 'Where one figure, rank, colour or score of Annex 2 comes from: the events behind it and the rule versions in force' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO date-time: the answer as it was known then (default: now)' })
  provenance(
    @Param('planId') planId: string,
    @Param('period') period: string,
    @Param('indicatorNo', ParseIntPipe) no: number,
    @Param('field') field: string,
    @Req() req: AuthenticatedRequest,
    @Query('asOf') asOf?: string,
  ) {
    principalOf(req);
    if (!FIELDS.includes(field as ProvenanceField)) throw badRequest('field', `one of ${FIELDS.join(', ')}`);
    if (!isMonth(period)) throw badRequest('period', `"${period}" is not a month written YYYY-MM`);
    return this.queries.execute(new GetProvenance(planId, period, no, field as ProvenanceField, parseAsOf(asOf, undefined)));
  }

  @Get('plans/:planId/audit/units/:unitId/export')
  @ApiOperation({
    summary:
      'A unit’s full history as JSON lines or .xlsx, sealed on the way out so it can be checked against the record later; with attachments=bytes a zip that also holds every attachment’s bytes under its SHA-256, verifiable offline',
  })
  async exportUnit(@Param('planId') planId: string, @Param('unitId') unitId: string, @Query() q: ExportQuery, @Req() req: AuthenticatedRequest, @Res() res: Response) {
    const x = await this.commands.execute(new ExportUnitHistory(principalOf(req), planId, unitId));
    const name = `jixiao-${planId}-${unitId}-${x.header.exportedAt.slice(0, 10)}`;
    if (q.attachments === 'bytes') {
      // jszip is loaded when an archive is asked for, not by every start.
      const { evidenceArchive } = await import('./evidence-archive.js');
      const { zip, manifest } = await this.audit.withBlobStore((blobs) => evidenceArchive(x, blobs));
      res.setHeader('X-Attachments', String(manifest.attachments.length));
      res.type('application/zip').attachment(`${name}-evidence.zip`).send(zip);
    } else if (q.format === 'xlsx') {
      res
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .attachment(`${name}.xlsx`)
        .send(await toXlsx(x));
    } else {
      res.type('application/x-ndjson').attachment(`${name}.jsonl`).send(toJsonLines(x));
    }
  }

  @Get('audit/seals')
  @ApiOperation({ summary: 'Every seal, newest first, each with its exportable text block' })
  async seals(@Req() req: AuthenticatedRequest, @Query('after') after?: string, @Query('limit') limit?: string): Promise<Page<SealView>> {
    // Newest first: a seal is made every few minutes, and the first page is the one a reader wants.
    return pageOfList((await this.queries.execute(new ListSeals(principalOf(req)))).reverse(), (s) => s.sealId, { after, limit });
  }

  @Get('audit/seals/:sealId')
  @ApiOperation({ summary: 'One seal, with its exportable text block (404 seal-not-found)' })
  sealOf(@Param('sealId') sealId: string, @Req() req: AuthenticatedRequest) {
    return this.queries.execute(new GetSeal(principalOf(req), sealId));
  }

  @Post('audit/seals')
  @ApiOperation({ summary: 'Seal the record as it stands now (admin or office): 201 with the seal’s Location; 200 when the store is empty and nothing is sealed' })
  async seal(@Body() body: SealRequestDto, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    const p = principalOf(req);
    const sealed = await this.commands.execute(new SealRecord(p, body.occasion ?? `on request of ${p.name ?? p.userId}`));
    if (!sealed) {
      res.status(200);
      return { sealed: false, reason: 'the store is empty' };
    }
    // Issue 14: a creation answers 201 with where the created resource is read.
    res.setHeader('Location', apiPath('audit', 'seals', sealed.sealId));
    return sealed;
  }

  @Post('audit/verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Recompute every hash chain and every seal (writes nothing); with an exported seal, prove the record up to it unchanged' })
  verify(@Body() body: VerifyDto, @Req() req: AuthenticatedRequest) {
    const reader = principalOf(req);
    let exported;
    try {
      exported = body.seal ? parseSealText(body.seal) : undefined;
    } catch (err) {
      throw badRequest('seal', (err as Error).message);
    }
    return this.queries.execute(new VerifyRecord(reader, exported));
  }
}

function pageOf(q: Record<string, string | undefined>) {
  return { filter: filterOf(q), after: q.after, limit: limitOf(q.limit), minPosition: q.minPosition };
}

function filterOf(q: Record<string, string | undefined>): TimelineFilter {
  const f: TimelineFilter = {};
  if (q.indicatorNo !== undefined) {
    const n = Number(q.indicatorNo);
    if (!Number.isInteger(n) || n < 1) throw badRequest('indicatorNo', 'an indicator number');
    f.indicatorNo = n;
  }
  if (q.period !== undefined) {
    if (!isPeriod(q.period)) throw badRequest('period', 'YYYY-MM, YYYY-Qn or YYYY');
    f.period = q.period;
  }
  // Issue 12: filter by event type and by the cause of a standing change, each a comma-separated list.
  if (q.type !== undefined) {
    const types = q.type.split(',').map((t) => t.trim());
    const unknown = types.filter((t) => !(TIMELINE_EVENT_TYPES as readonly string[]).includes(t));
    if (unknown.length || !types.length) throw badRequest('type', `event types, comma-separated; unknown: ${unknown.join(', ')}`);
    f.types = types;
  }
  if (q.cause !== undefined) {
    const causes = q.cause.split(',').map((t) => t.trim());
    const unknown = causes.filter((c) => !(STANDING_CAUSES as readonly string[]).includes(c));
    if (unknown.length || !causes.length) throw badRequest('cause', `${STANDING_CAUSES.join(' | ')}, comma-separated; unknown: ${unknown.join(', ')}`);
    f.causes = causes;
  }
  if (q.from !== undefined) f.from = parseAsOf(q.from, undefined, 'from')!.time!;
  if (q.to !== undefined) f.to = parseAsOf(q.to, undefined, 'to')!.time!;
  return f;
}

function paramsOf(q: Record<string, string | undefined>): ViewParams {
  const p: ViewParams = {};
  if (q.period !== undefined) {
    if (!isMonth(q.period)) throw badRequest('period', 'YYYY-MM');
    p.period = q.period;
  }
  if (q.quarter !== undefined) {
    if (!isQuarter(q.quarter)) throw badRequest('quarter', 'YYYY-Qn');
    p.quarter = q.quarter;
  }
  if (q.year !== undefined) {
    if (!/^\d{4}$/.test(q.year)) throw badRequest('year', 'YYYY');
    p.year = Number(q.year);
  }
  return p;
}
