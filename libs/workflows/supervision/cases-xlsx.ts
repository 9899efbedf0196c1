// Loaded when a workbook is written, not at start: exceljs alone costs ~0.4 s of start-up (more
// on a loaded machine), and every export controller imports this module.
import type { CaseStep, CloseReason, DeadlineStep, EscalationKind } from './supervision.events.js';
import type { BoardRow } from './supervision-board.projection.js';

const STEP: Record<CaseStep, string> = { acknowledge: '签收', plan: '整改方案', feedback: '整改反馈', review: '审核', close: '结案' };
const ESCALATION: Record<EscalationKind, string> = { 'public-notice': '通报', 'admonitory-talk': '约谈' };
const CLOSE: Record<CloseReason, string> = { 'warning-improved': '预警好转', 'rectification-accepted': '整改验收', 'cleared-by-correction': '更正后解除' };

/** Beijing time as the county reads it. */
const beijing = (iso: string | null) => (iso ? new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '');

/**
 * The supervision case list an office asks for (督查案件清单): one row per case with its unit and
 * indicator, status, current step, next deadline, overdue steps, escalations (通报/约谈), the red
 * warnings it covers and how it closed.
 */
export async function casesWorkbook(rows: readonly BoardRow[], title: string, asOf: string): Promise<Buffer> {
  const wb = new (await import('exceljs')).default.Workbook();
  wb.creator = 'Jixiao 绩效';
  const ws = wb.addWorksheet('督查案件');
  ws.addRow([title]).font = { bold: true, size: 14 };
  ws.addRow([`截至 ${beijing(asOf)}（北京时间）`]);
  ws.addRow([
    '单位',
    '指标',
    '案件',
    '状态',
    '当前环节',
    '下一时限环节',
    '时限（最后一日）',
    '是否超期',
    '曾超期环节',
    '升级处理',
    '预警',
    '立案时间',
    '结案时间',
    '结案原因',
    '已历天数',
  ]).font = { bold: true };
  for (const r of rows) {
    ws.addRow([
      r.unitName,
      `${r.indicatorNo}. ${r.indicatorName}`,
      r.caseNo,
      r.status === 'open' ? '办理中' : '已结案',
      STEP[r.step],
      r.nextDeadline ? STEP[r.nextDeadline.step as DeadlineStep] : '',
      r.nextDeadline?.lastDay ?? '',
      r.overdue ? '超期' : '',
      r.overdueSteps.map((s) => STEP[s]).join('、'),
      r.escalations.map((e) => `${ESCALATION[e.kind]} ${beijing(e.at).slice(0, 10)}`).join('；'),
      r.warnings.join('、'),
      beijing(r.openedAt),
      beijing(r.closedAt),
      r.closeReason ? CLOSE[r.closeReason] : '',
      r.ageDays,
    ]);
  }
  ws.columns.forEach((c, i) => (c.width = [24, 30, 6, 8, 10, 12, 14, 8, 16, 22, 16, 17, 17, 12, 8][i] ?? 12));
  ws.views = [{ state: 'frozen', xSplit: 2, ySplit: 3 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
