// Loaded when a workbook is written, not at start: exceljs alone costs ~0.4 s of start-up (more
// on a loaded machine), and every export controller imports this module.
import type { ComplianceCell } from './reports.projection.js';
import type { ComplianceBoard } from './reports.queries.js';
import { complianceRates } from './compliance-rates.js';

// The rates are pure and shared with the web UI's board (apps/web/src/lib/compliance-rates.ts).
export { complianceRates, onTimeOf, type Rate } from './compliance-rates.js';

function cellText(c: ComplianceCell | null): string {
  if (!c) return '—';
  if (c.onTime === true) return '按时';
  if (c.onTime === false) return c.lateByMinutes ? `迟报 ${Math.ceil(c.lateByMinutes / 60)} 小时` : '迟报';
  if (c.overdue) return '逾期未报';
  return { none: '未开启', open: '待填报', draft: '草稿', submitted: '待签字', signed: '已签字', received: '已接收', returned: '已退回' }[c.status as string] ?? c.status;
}

/**
 * The compliance workbook an office asks for (月报报送情况): one row per unit, one column per month
 * (按时 / 迟报 n 小时 / 逾期未报), the unit's on-time count and rate; the last row the month's rates
 * and the total. Rates count only reports already judged (signed in, or overdue).
 */
export async function complianceWorkbook(board: ComplianceBoard, title: string): Promise<Buffer> {
  const rates = complianceRates(board);
  const wb = new (await import('exceljs')).default.Workbook();
  wb.creator = 'Jixiao 绩效';
  const ws = wb.addWorksheet('报送情况');
  ws.addRow([title]).font = { bold: true, size: 14 };
  ws.addRow([`按时报送率：按时报送数 ÷ 已判定数（已签字报送或已逾期）${board.asOf ? `；截至 ${board.asOf}` : ''}`]);
  const header = ws.addRow(['单位', ...board.periods.map((p) => `${Number(p.slice(5))}月`), '按时', '已判定', '按时率']);
  header.font = { bold: true };
  for (const [i, u] of board.units.entries()) {
    const r = rates.units[i]!;
    ws.addRow([u.unitName, ...board.periods.map((p) => cellText(u.cells[p] ?? null)), r.onTime, r.judged, r.rate]);
  }
  const totals = ws.addRow(['合计（按时率）', ...rates.months.map((m) => m.rate), rates.total.onTime, rates.total.judged, rates.total.rate]);
  totals.font = { bold: true };
  const rateColumn = board.periods.length + 4;
  ws.getColumn(rateColumn).numFmt = '0.0%';
  for (let c = 2; c < 2 + board.periods.length; c++) totals.getCell(c).numFmt = '0.0%';
  ws.getColumn(1).width = 28;
  for (let c = 2; c <= rateColumn; c++) ws.getColumn(c).width = 11;
  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 3 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
