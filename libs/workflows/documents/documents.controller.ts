import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiParam, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import type { Response } from 'express';
import type { Clock } from '../../engine/clock.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { apiPath } from '../../engine/nest/http/location.js';
import { pageOf, type Page } from '../../engine/nest/http/paging.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { DOCUMENT_KINDS, type DocumentKind } from '../plan/plan-file.js';
import { commandOfKind } from './documents.decider.js';
import type { DocumentSubject } from './documents.events.js';
import { DocumentsBusCommand } from './documents.handlers.js';
import type { DocumentSummary } from './documents.projection.js';
import { GetDocumentPdf, ListDocuments } from './documents.queries.js';
import type { IssueRequest } from './documents.service.js';

class IssueDocumentDto {
  @ApiPropertyOptional({ description: 'quarterly-notice: the quarter, YYYY-Qn' }) @IsOptional() @Matches(/^\d{4}-Q[1-4]$/) quarter?: string;
  @ApiPropertyOptional({ description: 'supervision-notice, talk-notice, monthly-report: the unit' }) @IsOptional() @IsString() @MaxLength(100) unitId?: string;
  @ApiPropertyOptional({ description: 'supervision-notice, talk-notice: the indicator' }) @IsOptional() @IsInt() @Min(1) indicatorNo?: number;
  @ApiPropertyOptional({ description: 'supervision-notice, talk-notice: the case number' }) @IsOptional() @IsInt() @Min(1) caseNo?: number;
  @ApiPropertyOptional({ description: 'reward-proposal, reward-decision: the plan year' }) @IsOptional() @IsInt() @Min(1900) year?: number;
  @ApiPropertyOptional({ description: 'monthly-report: the month, YYYY-MM' }) @IsOptional() @Matches(/^\d{4}-(0[1-9]|1[0-2])$/) period?: string;
  @ApiPropertyOptional({ description: 'Why (required to issue a second document on the same subject, which supersedes the first)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
  @ApiPropertyOptional({ description: 'Read the projections once they have applied this position (from an earlier answer)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  minPosition?: string;
}

function subjectOf(kind: DocumentKind, b: IssueDocumentDto): DocumentSubject {
  const need = <K extends keyof IssueDocumentDto>(k: K): NonNullable<IssueDocumentDto[K]> => {
    if (b[k] === undefined || b[k] === null) throw badRequest(k, `required for a ${kind}`);
    return b[k] as NonNullable<IssueDocumentDto[K]>;
  };
  switch (kind) {
    case 'quarterly-notice':
      return { kind, quarter: need('quarter') };
    case 'supervision-notice':
    case 'talk-notice':
      return { kind, unitId: need('unitId'), indicatorNo: need('indicatorNo'), caseNo: need('caseNo') };
    case 'reward-proposal':
    case 'reward-decision':
      return { kind, year: need('year') };
    case 'monthly-report':
      return { kind, unitId: need('unitId'), period: need('period') };
  }
}

@ApiTags('documents')
@Controller('plans/:planId/documents')
export class DocumentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('issue/:kind')
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({
    summary:
      'Issue an official document (公文) as PDF with the series’ next number (发文字号) and the seal of this moment: the office issues notices, lists and reports, the bureau supervision and admonitory-talk notices',
  })
  @ApiParam({ name: 'kind', enum: DOCUMENT_KINDS })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async issue(
    @Param('planId') planId: string,
    @Param('kind') kind: string,
    @Body() body: IssueDocumentDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResult> {
    if (!(DOCUMENT_KINDS as readonly string[]).includes(kind)) throw badRequest('kind', `one of ${DOCUMENT_KINDS.join(', ')}`);
    const subject = subjectOf(kind as DocumentKind, body);
    const meta = commandMeta(req, this.clock, body.reason ? { reason: body.reason } : {});
    const command: IssueRequest = {
      type: commandOfKind(kind as DocumentKind),
      data: { planId, subject, ...(body.minPosition ? { at: { minPosition: body.minPosition } } : {}) },
      meta,
    };
    const result: CommandResult = await this.commands.execute(new DocumentsBusCommand(command, executeOptions(req)));
    // Issue 14: a document issued answers 201 with where its PDF is read.
    const issued = result.events.find((e) => e.type === 'DocumentIssued')?.data as { documentId?: string } | undefined;
    if (issued?.documentId) res.setHeader('Location', apiPath('plans', planId, 'documents', 'pdf', issued.documentId));
    else res.status(200);
    return result;
  }

  @Get()
  @ApiOperation({ summary: 'The documents issued under the plan, oldest first, that the reader may read: number, title, hash, seal, who and when' })
  @ApiQuery({
    name: 'subject',
    required: false,
    description: 'a subject prefix: quarterly-notice/2023-Q2, supervision-notice/<unit>/<indicator>/<case>, reward-decision/2023, monthly-report/<unit>/2023-06',
  })
  async list(
    @Param('planId') planId: string,
    @Query('subject') subject: string | undefined,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<Page<DocumentSummary>> {
    const { documents } = await this.queries.execute(new ListDocuments(principalOf(req), planId, subject || undefined, at));
    return pageOf(documents, (d) => d.documentId, { after, limit });
  }

  @Get('pdf/:documentId')
  @ApiOperation({ summary: 'The PDF, rendered again from its issue event: the same bytes, whose SHA-256 the record holds (header X-Content-SHA256)' })
  async pdf(@Param('planId') planId: string, @Param('documentId') documentId: string, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const { summary, pdf } = await this.queries.execute(new GetDocumentPdf(principalOf(req), planId, documentId));
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${documentId}.pdf"; filename*=UTF-8''${encodeURIComponent(`${summary.number}.pdf`)}`);
    res.setHeader('X-Content-SHA256', summary.sha256);
    res.setHeader('ETag', `"${summary.sha256}"`);
    res.send(pdf);
  }
}
