import ExcelJS from 'exceljs';
import type { Annex2Row, Annex2Table } from '../../apps/web/src/api/models.js';
import { annex2Workbook } from '../../apps/web/src/lib/annex2-xlsx.js';

/**
 * The Annex 2 export carries the row flags (issue 12): "With fewer than six counties' figures, a
 * rank and its colour are marked provisional on every view and export"; where the reported and the
 * official figure differ, "the difference is flagged".
 */
const base = {
  alias: undefined,
  points: 5,
  units: [{ id: 'fgw', shortName: '发改委' }],
  unitOfMeasure: { id: 'percent', symbol: '%' },
  direction: 'higher-is-better',
  kind: 'ranked',
  baseline: { value: null, rank: null },
  target: 8,
  rankPeriod: '2023-08',
  reportedRank: null,
  score: null,
  byUnit: [],
  provenance: { result: null, rank: null, warning: null },
} as unknown as Annex2Row;
const rows: Annex2Row[] = [
  {
    ...base,
    no: 1,
    name: '固定资产投资增速',
    result: 8.1,
    rank: 2,
    rankSource: 'official',
    warning: 'green',
    provisional: true,
    flags: [
      { kind: 'report-not-received', unitId: 'fgw', status: 'signed', reason: { zh: '发改委报告已签字未接收，完成情况为暂定数', en: '' } },
      { kind: 'provisional-rank', period: '2023-08', with: 5, of: 6, reason: { zh: '2023年8月仅 5/6 个县（市）有数据，排名和预警为暂定', en: '' } },
    ],
  },
  {
    ...base,
    no: 28,
    name: 'PM2.5 年均浓度',
    result: 46,
    rank: 4,
    rankSource: 'official',
    warning: 'yellow',
    provisional: false,
    flags: [{ kind: 'discrepancy', period: '2023-08', reported: 46, official: 44, reason: { zh: '上报完成情况 46 与市公布数 44 不一致，排名以市公布数为准', en: '' } }],
  },
  { ...base, no: 30, name: '地区生产总值增速', result: 6.1, rank: 3, rankSource: 'official', warning: 'yellow', provisional: false, flags: [] },
];
const table = {
  planId: 'ye-county-2023',
  period: '2023-08',
  title: 't',
  documentNumber: '叶政〔2023〕20号',
  county: '叶县',
  totalPoints: 116,
  sections: [{ id: 1, numeral: '一', title: '项目建设', rows }],
  summary: { rows: 3, withResult: 3, official: 3, green: 1, yellow: 2, red: 0 },
  flagged: { provisional: 1, discrepancies: 1 },
  scoringRuleVersion: null,
  totalScore: null,
  maxScore: 116,
} as Annex2Table;

describe('the Annex 2 workbook', () => {
  it('marks provisional figures and ranks （暂定） in italics, and says every flag’s reason in the 说明 column', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await (await annex2Workbook(table, null)).arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(3).getCell(10).value).toBe('说明');
    const byNo = new Map<number, ExcelJS.Row>();
    ws.eachRow((r) => {
      if (typeof r.getCell(1).value === 'number') byNo.set(r.getCell(1).value as number, r);
    });
    const one = byNo.get(1)!;
    // Numbers stored as numbers (issue 15): the percentage as its fraction with a % format, （暂定） shown by the format.
    expect(one.getCell(7).value).toBeCloseTo(0.081, 10);
    expect(one.getCell(7).numFmt).toBe('0.0%"（暂定）"');
    expect([one.getCell(8).value, one.getCell(8).numFmt, one.getCell(9).value]).toEqual([2, '0"（暂定）"', '绿色（暂定）']);
    expect([one.getCell(6).value, one.getCell(6).numFmt]).toEqual([0.08, '0.0%']);
    expect(one.getCell(8).font?.italic).toBe(true);
    expect(one.getCell(10).value).toBe('发改委报告已签字未接收，完成情况为暂定数；2023年8月仅 5/6 个县（市）有数据，排名和预警为暂定');
    const pm = byNo.get(28)!;
    expect([pm.getCell(7).value, pm.getCell(7).numFmt, pm.getCell(8).value, pm.getCell(10).value]).toEqual([
      0.46,
      '0.0%',
      4,
      '上报完成情况 46 与市公布数 44 不一致，排名以市公布数为准',
    ]);
    expect([byNo.get(30)!.getCell(8).value, byNo.get(30)!.getCell(10).value]).toEqual([3, '']);
    const texts: string[] = [];
    ws.eachRow((r) => texts.push(String(r.getCell(1).value ?? '')));
    expect(texts.some((t) => t.includes('共 1 项；上报数与市公布数不一致 1 项'))).toBe(true);
  });

  it('stores every figure as a number: no cell of a figure column is text, a unit and the 2022 rank are in the number format', async () => {
    const gdp = {
      ...base,
      no: 5,
      name: '地区生产总值',
      unitOfMeasure: { id: 'yi', symbol: '亿元' },
      baseline: { value: 312.45, rank: 3 },
      target: 330,
      result: 298.6,
      rank: 4,
      warning: 'yellow',
      flags: [],
    } as unknown as Annex2Row;
    const rankOnly = {
      ...base,
      no: 6,
      name: '营商环境',
      unitOfMeasure: { id: 'none', symbol: '' },
      baseline: { value: null, rank: 2 },
      target: null,
      result: null,
      rank: null,
      warning: null,
      flags: [],
    } as unknown as Annex2Row;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await (await annex2Workbook({ ...table, sections: [{ id: 1, numeral: '一', title: '项目建设', rows: [...rows, gdp, rankOnly] }] }, null)).arrayBuffer());
    const ws = wb.worksheets[0]!;
    const rowOf = (no: number) => {
      let found: ExcelJS.Row | undefined;
      ws.eachRow((r) => {
        if (r.getCell(1).value === no) found = r;
      });
      return found!;
    };
    const g = rowOf(5);
    expect([g.getCell(5).value, g.getCell(5).numFmt]).toEqual([312.45, '0.00" 亿元（3）"']);
    expect([g.getCell(6).value, g.getCell(6).numFmt]).toEqual([330, '0" 亿元"']);
    expect([g.getCell(7).value, g.getCell(7).numFmt]).toEqual([298.6, '0.0" 亿元"']);
    const k = rowOf(6);
    expect([k.getCell(5).value, k.getCell(5).numFmt, k.getCell(6).value ?? null, k.getCell(7).value ?? null]).toEqual([2, '"（"0"）"', null, null]);
    for (const no of [1, 28, 30, 5]) for (const c of [6, 7, 8]) expect(typeof rowOf(no).getCell(c).value).toBe('number');
  });
});
