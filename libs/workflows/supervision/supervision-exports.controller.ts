import { Controller, Get, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { casesWorkbook } from './cases-xlsx.js';
import type { BoardFilter } from './supervision-board.projection.js';
import { GetSupervisionBoard } from './supervision.queries.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The supervision case list as a workbook (issue 16), from the same query the board answers. */
@ApiTags('supervision')
@Controller('plans/:planId/supervision')
export class SupervisionExportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('cases.xlsx')
  @ApiOperation({
    summary:
      'The supervision case list as a workbook: unit, indicator, status, step, next deadline, overdue steps, escalations, warnings, closing (read like the board; default every case)',
  })
  @ApiProduces(XLSX)
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'closed', 'all'] })
  @ApiQuery({ name: 'unitId', required: false })
  async cases(
    @Param('planId') planId: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Res({ passthrough: true }) res: Response,
    @Query('status') status?: string,
    @Query('unitId') unitId?: string,
  ): Promise<StreamableFile> {
    if (status !== undefined && !['open', 'closed', 'all'].includes(status)) throw badRequest('status', 'open | closed | all');
    const filter: BoardFilter = { status: (status as BoardFilter['status']) ?? 'all', ...(unitId ? { unitId } : {}) };
    const board = await this.queries.execute(new GetSupervisionBoard(principalOf(req), planId, filter, at));
    const bytes = await casesWorkbook(board.cases, '督查案件清单', board.asOf);
    res.setHeader('Content-Type', XLSX);
    res.setHeader('Content-Disposition', `attachment; filename="supervision-cases-${planId}.xlsx"; filename*=UTF-8''${encodeURIComponent('督查案件清单.xlsx')}`);
    return new StreamableFile(bytes);
  }
}
