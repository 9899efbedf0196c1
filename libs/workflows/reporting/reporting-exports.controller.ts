import { Controller, Get, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { complianceWorkbook } from './compliance-xlsx.js';
import { GetCompliance } from './reports.queries.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Exports an office asks for (issue 16), built on the server from the same query the board answers. */
@ApiTags('reporting')
@Controller('plans/:planId/reporting')
export class ReportingExportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('compliance.xlsx')
  @ApiOperation({ summary: 'The compliance board as a workbook: each unit × month, on-time rates per unit and per month, and the total (read like the board)' })
  @ApiProduces(XLSX)
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  async compliance(
    @Param('planId') planId: string,
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Res({ passthrough: true }) res: Response,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<StreamableFile> {
    for (const [field, v] of [['from', from] as const, ['to', to] as const])
      if (v !== undefined && !MONTH.test(v)) throw badRequest(field, `"${v}" is not a month written YYYY-MM`);
    const board = await this.queries.execute(new GetCompliance(principalOf(req), planId, { from, to }, at));
    const year = board.periods[0]?.slice(0, 4) ?? '';
    const bytes = await complianceWorkbook(board, `${year}年度高质量发展绩效指标月报报送情况`);
    res.setHeader('Content-Type', XLSX);
    res.setHeader('Content-Disposition', `attachment; filename="compliance-${planId}-${year}.xlsx"; filename*=UTF-8''${encodeURIComponent(`月报报送情况-${year}.xlsx`)}`);
    return new StreamableFile(bytes);
  }
}
