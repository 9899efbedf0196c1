import {
  Body,
  Controller,
  Get,
  Inject,
  Injectable,
  Param,
  PayloadTooLargeException,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { Clock } from '../../engine/clock.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { apiPath } from '../../engine/nest/http/location.js';
import { pageOf, type Page } from '../../engine/nest/http/paging.js';
import { badRequest, problem, ProblemException } from '../../engine/nest/http/problem-details.js';
import { CASE_STEPS, type CaseStep } from '../supervision/supervision.events.js';
import { authorizeAttachment } from './attachments.decider.js';
import type { AttachmentTarget } from './attachments.events.js';
import { AttachmentsBusCommand } from './attachments.handlers.js';
import { GetAttachmentContent, ListAttachments } from './attachments.queries.js';
import type { AttachmentView } from './attachments.projection.js';
import { ATTACHMENTS_SETTINGS, type AttachmentsSettings } from './attachments.service.js';

/** The three kinds of target, by the path's first segment. */
const KINDS = { reports: 'report', cases: 'case', decisions: 'decision' } as const;
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The target named by the path (`reports/:planId/:unitId/:period`, `cases/…/:indicatorNo/:caseNo`, `decisions/:planId/:year`), checked. */
export function targetOf(kind: string, p: Record<string, string | undefined>): AttachmentTarget {
  const id = (field: string) => {
    const v = p[field] ?? '';
    if (!ID.test(v)) throw badRequest(field, `"${v}" is not an id`);
    return v;
  };
  const int = (field: string) => {
    const v = p[field] ?? '';
    if (!/^\d{1,6}$/.test(v)) throw badRequest(field, `"${v}" is not a whole number`);
    return Number(v);
  };
  switch (KINDS[kind as keyof typeof KINDS]) {
    case 'report': {
      const period = p.period ?? '';
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw badRequest('period', `"${period}" is not a month written YYYY-MM`);
      return { kind: 'report', planId: id('planId'), unitId: id('unitId'), period };
    }
    case 'case':
      return { kind: 'case', planId: id('planId'), unitId: id('unitId'), indicatorNo: int('indicatorNo'), caseNo: int('caseNo') };
    case 'decision': {
      const year = p.year ?? '';
      if (!/^\d{4}$/.test(year)) throw badRequest('year', `"${year}" is not a year written YYYY`);
      return { kind: 'decision', planId: id('planId'), year: Number(year) };
    }
    default:
      throw badRequest('kind', `"${kind}" is not reports, cases or decisions`);
  }
}

/** A target's path segments after the plan id: the inverse of targetOf. */
function attachmentPathOf(t: AttachmentTarget): (string | number)[] {
  switch (t.kind) {
    case 'report':
      return [t.planId, 'attachments', 'reports', t.unitId, t.period];
    case 'case':
      return [t.planId, 'attachments', 'cases', t.unitId, t.indicatorNo, t.caseNo];
    case 'decision':
      return [t.planId, 'attachments', 'decisions', t.year];
  }
}

const kindOfPath = (req: Request) => /\/attachments\/(reports|cases|decisions)\//.exec(req.path)?.[1] ?? '';

/**
 * Reads the multipart body into memory, within the configured limit (live: a test may lower it).
 * Who may attach is decided first — a person who may not attach is told so, not that the file is
 * too large — and a file over the limit is a 413 with code `attachment-too-large`.
 */
@Injectable()
export class AttachmentUploadInterceptor implements NestInterceptor {
  #inner: { limit: number; interceptor: NestInterceptor } | undefined;

  constructor(@Inject(ATTACHMENTS_SETTINGS) private readonly settings: AttachmentsSettings) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    authorizeAttachment(principalOf(req), targetOf(kindOfPath(req), req.params as Record<string, string>));
    const limit = this.settings.maxBytes;
    if (this.#inner?.limit !== limit) {
      const Inner = FileInterceptor('file', { limits: { fileSize: limit, files: 1, fields: 4, fieldSize: 4096 }, defParamCharset: 'utf8' });
      this.#inner = { limit, interceptor: new Inner() };
    }
    try {
      return await this.#inner.interceptor.intercept(context, next);
    } catch (err) {
      if (err instanceof PayloadTooLargeException) {
        throw new ProblemException(
          problem(413, 'attachment-too-large', 'Attachment too large', `an attachment may have at most ${limit} bytes (JIXIAO_ATTACHMENT_MAX_BYTES); nothing was stored`, {
            maxBytes: limit,
            errors: [{ field: 'file', message: `larger than ${limit} bytes` }],
          }),
        );
      }
      throw err;
    }
  }
}

class UploadDto {
  @ApiPropertyOptional({ enum: CASE_STEPS, description: 'for a case: the step the evidence belongs to' }) @IsOptional() @IsIn(CASE_STEPS) step?: CaseStep;
  @ApiPropertyOptional({ description: 'what the file is (recorded with it)' }) @IsOptional() @IsString() @MaxLength(2000) note?: string;
  @ApiPropertyOptional({ description: 'why it is attached (recorded as the event’s reason)' }) @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

interface UploadedBytes {
  originalname: string;
  buffer: Buffer;
  size: number;
}

const UPLOAD_BODY = {
  schema: {
    type: 'object',
    required: ['file'],
    properties: {
      file: { type: 'string', format: 'binary', description: 'PDF, JPEG, PNG, DOCX or XLSX (checked by content)' },
      step: { type: 'string', enum: [...CASE_STEPS] },
      note: { type: 'string' },
      reason: { type: 'string' },
    },
  },
};

const PATHS = {
  reports: 'reports/:unitId/:period',
  cases: 'cases/:unitId/:indicatorNo/:caseNo',
  decisions: 'decisions/:year',
};

@ApiTags('attachments')
@Controller('plans/:planId/attachments')
export class AttachmentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post([PATHS.reports, PATHS.cases, PATHS.decisions])
  @ApiConsumes('multipart/form-data')
  @ApiBody(UPLOAD_BODY)
  @UseInterceptors(AttachmentUploadInterceptor, CommandResultInterceptor)
  @ApiOperation({
    summary:
      'Attach a file as evidence (multipart field "file"): to a monthly report (its unit, the office), a supervision case (its unit, the supervisor) or the approved year-end decision (office, leader). PDF, JPEG, PNG, DOCX or XLSX by content; at most JIXIAO_ATTACHMENT_MAX_BYTES (413). The event holds name, type, size and SHA-256; the bytes go to the blob store once',
  })
  async upload(
    @Param() params: Record<string, string>,
    @UploadedFile() file: UploadedBytes | undefined,
    @Body() body: UploadDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommandResult> {
    const target = targetOf(kindOfPath(req), params);
    if (!file) throw badRequest('file', 'attach the file as the multipart form field "file"');
    const meta = commandMeta(req, this.clock, body.reason ? { reason: body.reason } : {});
    const result: CommandResult = await this.commands.execute(
      new AttachmentsBusCommand(
        {
          type: 'attachments.Add',
          data: { target, name: file.originalname, bytes: file.buffer, ...(body.step ? { step: body.step } : {}), ...(body.note ? { note: body.note } : {}) },
          meta,
        },
        executeOptions(req),
      ),
    );
    // Issue 14: a file attached answers 201 with where it is downloaded; the same bytes attached again create nothing (200).
    const added = result.events.find((e) => e.type === 'AttachmentAdded')?.data as { blob?: { sha256?: string } } | undefined;
    if (added?.blob?.sha256) res.setHeader('Location', apiPath('plans', ...attachmentPathOf(target), added.blob.sha256));
    else res.status(200);
    return result;
  }

  @Get([PATHS.reports, PATHS.cases, PATHS.decisions])
  @ApiOperation({ summary: 'The files attached to a report, case or decision: name, type, size, SHA-256, step, who attached them, when and why (read like the thing itself)' })
  @ApiQuery({ name: 'asOf', required: false })
  @ApiQuery({ name: 'minPosition', required: false })
  async list(
    @Param() params: Record<string, string>,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<Page<AttachmentView>> {
    const { attachments } = await this.queries.execute(new ListAttachments(principalOf(req), targetOf(kindOfPath(req), params), at));
    return pageOf(attachments, (a) => a.sha256, { after, limit });
  }

  @Get([`${PATHS.reports}/:sha256`, `${PATHS.cases}/:sha256`, `${PATHS.decisions}/:sha256`])
  @ApiOperation({ summary: 'Download one attached file, checked against its recorded SHA-256 (?inline=true to view an image or PDF in the browser)' })
  @ApiQuery({ name: 'inline', required: false })
  async download(
    @Param() params: Record<string, string>,
    @Query('inline') inline: string | undefined,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const { view, bytes } = await this.queries.execute(new GetAttachmentContent(principalOf(req), targetOf(kindOfPath(req), params), params.sha256 ?? '', at));
    const ascii = view.name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    const disposition = inline === 'true' && /^(image\/(png|jpeg)|application\/pdf)$/.test(view.mediaType) ? 'inline' : 'attachment';
    res.setHeader('Content-Type', view.mediaType);
    res.setHeader('Content-Disposition', `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(view.name)}`);
    res.setHeader('ETag', `"${view.sha256}"`);
    res.setHeader('X-Content-SHA256', view.sha256);
    return new StreamableFile(bytes);
  }
}
