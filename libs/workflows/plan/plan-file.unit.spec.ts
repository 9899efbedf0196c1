import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SUPERVISION_DEADLINES, parsePlanFile, PlanFileError, type PlanDefinition } from './plan-file.js';
import { BUILTIN_PLANS_DIR, loadBuiltinPlan } from './plans.js';

const FILE = 'ye-county-2023.yaml';
const TEXT = readFileSync(join(BUILTIN_PLANS_DIR, FILE), 'utf8');

/**
 * Annex 2 (一览表) of 叶政〔2023〕20号, transcribed by hand: number, points, responsible units exactly as
 * the table spells them. Kept here so the shipped plan is checked against the source without the
 * source being on disk.
 */
const ANNEX_2: readonly (readonly [no: number, points: number, units: readonly string[]])[] = [
  [1, 5, ['发改委']],
  [2, 3, ['工信局']],
  [3, 2, ['招商服务中心']],
  [4, 2, ['招商服务中心']],
  [5, 2, ['招商服务中心']],
  [6, 2, ['发改委']],
  [7, 4, ['工信局']],
  [8, 4, ['财政局']],
  [9, 2, ['工信局']],
  [10, 2, ['工信局']],
  [11, 2, ['工信局']],
  [12, 2, ['工信局']],
  [13, 2, ['工信局']],
  [14, 4, ['工信局']],
  [15, 3, ['发改委', '财政局']],
  [16, 3, ['工信局']],
  [17, 3, ['工信局']],
  [18, 3, ['工信局']],
  [19, 4, ['发改委']],
  [20, 4, ['发改委']],
  [21, 2, ['人社局']],
  [22, 3, ['农业农村局']],
  [23, 3, ['农业农村局']],
  [24, 2, ['农业农村局']],
  [25, 2, ['农业农村局']],
  [26, 2, ['水利局']],
  [27, 3, ['生态环境局']],
  [28, 2, ['生态环境局']],
  [29, 2, ['生态环境局']],
  [30, 5, ['发改委']],
  [31, 4, ['商务局']],
  [32, 3, ['督查局']],
  [33, 2, ['人社局']],
  [34, 2, ['人社局']],
  [35, 2, ['金融工作服务']],
  [36, 2, ['应急管理局']],
  [37, 2, ['财政局']],
  [38, 1, ['信访局']],
  [39, 1, ['消防大队']],
  [40, 4, ['政府办']],
  [41, 1, ['市场监管局']],
  [42, 1, ['房产事务服务中心']],
  [43, 1, ['行政服务中心']],
  [44, 1, ['发改委']],
  [45, 1, ['工信局']],
  [46, 1, ['机关事务服务中心']],
  [47, 1, ['文广旅局']],
  [48, 1, ['司法局']],
  [49, 1, ['县金融工作服务中心']],
];

/** The table's section headings, as ranges of indicator numbers. */
const ANNEX_2_SECTIONS: readonly (readonly [section: number, from: number, to: number])[] = [
  [1, 1, 6],
  [2, 7, 13],
  [3, 14, 19],
  [4, 20, 25],
  [5, 26, 29],
  [6, 30, 37],
  [7, 38, 49],
];

/** 1-based line of the first line matching `target` at or after the line matching `anchor`. */
function lineOf(anchor: RegExp, target: RegExp = anchor, text = TEXT): number {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => anchor.test(l));
  if (start < 0) throw new Error(`no line matches ${anchor}`);
  const found = lines.findIndex((l, i) => i >= start && target.test(l));
  if (found < 0) throw new Error(`no line matches ${target} after ${anchor}`);
  return found + 1;
}

const indicatorLine = (no: number, field?: string): number => lineOf(new RegExp(`^  - no: ${no}$`), field === undefined ? undefined : new RegExp(`^    ${field}:`));

/** The text with 1-based line `line` replaced by `by` (or removed when `by` is null). */
function withLine(line: number, by: string | null, text = TEXT): string {
  const lines = text.split('\n');
  lines.splice(line - 1, 1, ...(by === null ? [] : [by]));
  return lines.join('\n');
}

function refusal(text: string): PlanFileError {
  try {
    parsePlanFile(text, FILE);
  } catch (e) {
    if (e instanceof PlanFileError) return e;
    throw e;
  }
  throw new Error('the plan was accepted');
}

describe('the shipped Ye County 2023 plan', () => {
  let plan: PlanDefinition;
  beforeAll(() => {
    plan = parsePlanFile(TEXT, FILE);
  });

  it('describes the document', () => {
    expect(plan).toMatchObject({
      id: 'ye-county-2023',
      documentNumber: '叶政〔2023〕20号',
      issuedOn: '2023-08-07',
      year: 2023,
      county: '叶县',
      city: '平顶山市',
      title: '叶县2023年度高质量发展综合绩效推进方案',
    });
  });

  it('has 49 indicators numbered 1..49 in order whose points add up to the declared 116', () => {
    expect(plan.totalPoints).toBe(116);
    expect(plan.indicators.map((i) => i.no)).toEqual(Array.from({ length: 49 }, (_, i) => i + 1));
    expect(plan.indicators.reduce((s, i) => s + i.points, 0)).toBe(116);
  });

  it('has the 7 sections, in order', () => {
    expect(plan.sections.map((s) => [s.id, s.numeral, s.title])).toEqual([
      [1, '一', '项目建设'],
      [2, '二', '创新驱动'],
      [3, '三', '产业转型'],
      [4, '四', '城乡融合'],
      [5, '五', '资源环境'],
      [6, '六', '综合质效'],
      [7, '七', '省、市下达的其他责任目标'],
    ]);
  });

  it('has 21 responsible units, each owning at least one indicator', () => {
    expect(plan.units).toHaveLength(21);
    const owning = new Set(plan.indicators.flatMap((i) => i.units));
    expect(plan.units.map((u) => u.id).filter((id) => !owning.has(id))).toEqual([]);
    expect(plan.units.find((u) => u.id === 'fgw')).toMatchObject({ name: '县发改委', shortName: '发改委' });
    expect(plan.units.find((u) => u.id === plan.supervisionBureau)?.name).toBe('县委县政府督查局');
  });

  it('gives every indicator a known unit of measure, a known section and at least one known unit', () => {
    const measures = new Set(plan.unitsOfMeasure.map((m) => m.id));
    const units = new Set(plan.units.map((u) => u.id));
    const sections = new Set(plan.sections.map((s) => s.id));
    for (const i of plan.indicators) {
      expect([i.no, measures.has(i.unitOfMeasure)]).toEqual([i.no, true]);
      expect([i.no, sections.has(i.section)]).toEqual([i.no, true]);
      expect(i.units.length).toBeGreaterThanOrEqual(1);
      expect(i.units.filter((u) => !units.has(u))).toEqual([]);
    }
  });

  it('matches Annex 2: numbers, points and responsible units', () => {
    const unitBySpelling = new Map(plan.units.flatMap((u) => [u.name, u.shortName, ...u.aliases].map((s) => [s, u.id] as const)));
    expect(plan.indicators.map((i) => [i.no, i.points, i.units])).toEqual(ANNEX_2.map(([no, points, units]) => [no, points, units.map((u) => unitBySpelling.get(u) ?? `?${u}`)]));
  });

  it('places each indicator in the section Annex 2 lists it under', () => {
    const expected = ANNEX_2_SECTIONS.flatMap(([section, from, to]) => Array.from({ length: to - from + 1 }, () => section));
    expect(plan.indicators.map((i) => i.section)).toEqual(expected);
  });

  it('gives no. 15 two units: 发改委 and 财政局', () => {
    expect(plan.indicators[14]!.units).toEqual(['fgw', 'czj']);
  });

  it('ranks PM2.5 (28) and serious accidents (36) lower-is-better, and nothing else', () => {
    expect(plan.indicators.filter((i) => i.direction === 'lower-is-better').map((i) => i.no)).toEqual([28, 36]);
    expect(plan.indicators[27]!.unitOfMeasure).toBe('ug/m3');
    expect(plan.indicators[35]!.unitOfMeasure).toBe('cases');
  });

  it('treats section 7 as tasks except no. 49, and 24, 29, 32, 37 as tasks judged by the city', () => {
    const tasks = plan.indicators.filter((i) => i.kind === 'task').map((i) => i.no);
    expect(tasks).toEqual([24, 29, 32, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48]);
    expect(plan.indicators[48]).toMatchObject({ kind: 'ranked', unitOfMeasure: 'count' });
    for (const no of [24, 29, 32, 37]) expect(plan.indicators[no - 1]!.note).toBeDefined();
  });

  it('keeps the table wording as the name and the body wording as the alias', () => {
    const byNo = (no: number) => plan.indicators[no - 1]!;
    expect(byNo(1)).toMatchObject({ name: '固定值产投资增速', alias: '固定资产投资增速' });
    expect(byNo(19)).toMatchObject({ name: '第三产业增加值占生产总值比重及增长速度', alias: '第三产业增加值占生产总值比重及增速速度' });
    expect(byNo(28)).toMatchObject({ name: 'PM2.5年均浓度', alias: 'PM2.5平均浓度' });
    expect(byNo(32)).toMatchObject({ name: '市重点民生实事任务落实', alias: '重点民生实事任务落实' });
    expect(byNo(34)).toMatchObject({ name: '新增从业人员持证人数', alias: '从业人员持证人数' });
    expect(byNo(43)).toMatchObject({ name: '完成市定政务服务目标任务', alias: '完成市定政务服务目标工作' });
    expect(byNo(47)).toMatchObject({ name: '完成市定全面推进文旅康养城市建设目标任务', alias: '完成市定全面推进文旅康养城建设目标任务' });
    for (const no of [1, 19, 28, 32, 34, 43, 47]) expect(byNo(no).sourceNote).toBeDefined();
    expect(plan.indicators.filter((i) => i.alias !== undefined).map((i) => i.no)).toEqual([1, 19, 28, 32, 34, 43, 47]);
    expect(plan.indicators.filter((i) => /\s/.test(i.name))).toEqual([]);
  });

  it('leaves the 2022 baseline and the 2023 target empty', () => {
    for (const i of plan.indicators) {
      expect(i.baseline).toEqual({ value: null, rank: null });
      expect(i.target).toBeNull();
    }
  });

  it('lists the six peer counties in order, ours being 叶县', () => {
    expect(plan.peerGroup.counties.map((c) => [c.id, c.name])).toEqual([
      ['ye', '叶县'],
      ['baofeng', '宝丰县'],
      ['jia', '郏县'],
      ['lushan', '鲁山县'],
      ['wugang', '舞钢市'],
      ['ruzhou', '汝州市'],
    ]);
    expect(plan.peerGroup.counties.filter((c) => c.ours).map((c) => c.name)).toEqual(['叶县']);
  });

  it('has the warning tiers, reward tiers, reporting rule and leading group as data', () => {
    expect(plan.warningTiers.map((t) => [t.tier, t.fromRank, t.toRank])).toEqual([
      ['green', 1, 2],
      ['yellow', 3, 4],
      ['red', 5, 6],
    ]);
    expect(plan.rewards.tiers.map((t) => [t.tier, t.label.zh, t.fromRank, t.toRank])).toEqual([
      ['first', '第一方阵', 1, 2],
      ['third', '第三方阵', 5, 6],
    ]);
    expect(plan.rewards.tiers[1]!.consequences).toContainEqual(expect.objectContaining({ kind: 'working-funds', months: -1 }));
    expect(plan.monthlyReport).toMatchObject({
      dueBeforeDayOfNextMonth: 6,
      timeZone: 'Asia/Shanghai',
      reminderWorkingDaysBefore: 2,
      paperCopies: 2,
      email: 'yxzfmhb@126.com',
      officeRoom: '县政府212房间',
    });
    expect(plan.leadingGroup.members[0]).toEqual({ role: 'leader', roleZh: '组长', name: '文晓凡', title: '县委副书记、县长' });
    expect(plan.leadingGroup.members).toHaveLength(11);
    expect(plan.leadingGroup.office).toMatchObject({ hostUnit: 'zfb', director: { name: '李树辉' } });
    expect(plan.leadingGroup.office.deputyDirectors.map((d) => d.name)).toEqual(['王向民', '任克胜', '张俊超']);
  });

  it('has the supervision step deadlines as data; the seed says only "县委县政府督查局要及时…开展督查"', () => {
    expect(plan.supervisionDeadlines).toEqual({
      acknowledgeWorkingDays: 3,
      planWorkingDays: 10,
      reviewWorkingDays: 5,
      resubmitWorkingDays: 5,
      reminderWorkingDaysBefore: 1,
      reminderLocalHour: 9,
    });
  });

  it('is what loadBuiltinPlan returns', () => {
    expect(loadBuiltinPlan('ye-county-2023')).toEqual(plan);
  });
});

describe('parsePlanFile refuses a bad plan, naming the line and the field', () => {
  it('points that do not add up to totalPoints: at totalPoints, with the actual sum', () => {
    const e = refusal(withLine(indicatorLine(12, 'points'), '    points: 3'));
    expect(e.errors).toHaveLength(1);
    expect(e).toMatchObject({ line: lineOf(/^totalPoints:/), field: 'totalPoints' });
    expect(e.message).toBe(`${FILE} line ${lineOf(/^totalPoints:/)}: totalPoints: declared 116 but the indicators' points add up to 117`);
  });

  it('points that are not a positive number', () => {
    const line = indicatorLine(12, 'points');
    const e = refusal(withLine(line, '    points: 0'));
    // The sum is not checked on top: it would only repeat the same mistake.
    expect(e.errors.map((x) => [x.line, x.field])).toEqual([[line, 'indicators[11].points']]);
    expect(e.message).toBe(`${FILE} line ${line}: indicator 12: points: must be a positive number, got 0`);
  });

  it('an unknown unit id', () => {
    const line = indicatorLine(15, 'units');
    const e = refusal(withLine(line, '    units: [fgw, cz]'));
    expect(e).toMatchObject({ line, field: 'indicators[14].units[1]' });
    expect(e.message).toContain('indicator 15: units[1]: unknown unit "cz"');
  });

  it('an unknown unit of measure', () => {
    const line = indicatorLine(28, 'unitOfMeasure');
    const e = refusal(withLine(line, '    unitOfMeasure: mg/m3'));
    expect(e).toMatchObject({ line, field: 'indicators[27].unitOfMeasure' });
    expect(e.message).toContain('unknown unit of measure "mg/m3"');
  });

  it('a duplicate indicator number', () => {
    const line = indicatorLine(13);
    const e = refusal(withLine(line, '  - no: 12'));
    expect(e.errors[0]).toMatchObject({ line, field: 'indicators[12].no' });
    expect(e.message).toContain(`duplicate indicator number 12 (first at line ${indicatorLine(12)})`);
  });

  it('numbering that skips', () => {
    const line = indicatorLine(49);
    const e = refusal(withLine(line, '  - no: 50'));
    expect(e.errors).toHaveLength(1);
    expect(e).toMatchObject({ line, field: 'indicators[48].no' });
    expect(e.message).toContain('expected 49, found 50 (skips 49)');
  });

  it('numbering out of order', () => {
    const text = withLine(indicatorLine(13), '  - no: 12', withLine(indicatorLine(12), '  - no: 13'));
    const e = refusal(text);
    expect(e.errors.map((x) => [x.line, x.field])).toEqual([
      [indicatorLine(12), 'indicators[11].no'],
      [indicatorLine(13), 'indicators[12].no'],
    ]);
    expect(e.errors[0]!.message).toContain('expected 12, found 13 (skips 12)');
    expect(e.errors[1]!.message).toContain('expected 14, found 12 (out of order)');
  });

  it('an unknown section', () => {
    const line = indicatorLine(12, 'section');
    const e = refusal(withLine(line, '    section: 8'));
    // Not also "out of section order" for the indicators after it.
    expect(e.errors).toHaveLength(1);
    expect(e).toMatchObject({ line, field: 'indicators[11].section' });
    expect(e.message).toContain('unknown section 8');
  });

  it('a missing required field, at the line where the indicator starts', () => {
    const e = refusal(withLine(indicatorLine(12, 'direction'), null));
    expect(e).toMatchObject({ line: indicatorLine(12), field: 'indicators[11].direction' });
    expect(e.message).toContain('indicator 12: missing required field "direction"');
  });

  it('a bad direction', () => {
    const line = indicatorLine(36, 'direction');
    const e = refusal(withLine(line, '    direction: down'));
    expect(e).toMatchObject({ line, field: 'indicators[35].direction' });
    expect(e.message).toContain('must be one of higher-is-better, lower-is-better, got "down"');
  });

  it('a bad kind', () => {
    const line = indicatorLine(40, 'kind');
    const e = refusal(withLine(line, '    kind: judged'));
    expect(e).toMatchObject({ line, field: 'indicators[39].kind' });
    expect(e.message).toContain('must be one of ranked, task');
  });

  it('an unknown field, such as a misspelt optional one', () => {
    const line = indicatorLine(12, 'points');
    const e = refusal(withLine(line, '    points: 2\n    sourceNotes: typo'));
    expect(e).toMatchObject({ line: line + 1, field: 'indicators[11].sourceNotes' });
  });

  it('a baseline slot for the wrong year', () => {
    const line = indicatorLine(3, 'baseline2022');
    const e = refusal(withLine(line, '    baseline2021: { value: null, rank: null }'));
    expect(e.errors.map((x) => [x.line, x.field])).toEqual([
      [indicatorLine(3), 'indicators[2].baseline2022'],
      [line, 'indicators[2].baseline2021'],
    ]);
  });

  it('a peer group without exactly the declared six counties', () => {
    const e = refusal(withLine(lineOf(/id: ruzhou/), null));
    expect(e).toMatchObject({ line: lineOf(/^  counties:/), field: 'peerGroup.counties' });
    expect(e.message).toContain('lists 5 counties but peerGroup.size is 6');
  });

  it('a peer group where no county is ours', () => {
    const e = refusal(withLine(lineOf(/id: ye,/), '    - { id: ye, name: 叶县 }'));
    expect(e).toMatchObject({ line: lineOf(/^  counties:/), field: 'peerGroup.counties' });
    expect(e.message).toContain('exactly one county must be marked "ours: true"');
  });

  it('a plan whose county is not the one marked ours', () => {
    const e = refusal(withLine(lineOf(/^county:/), 'county: 郏县'));
    expect(e).toMatchObject({ line: lineOf(/^county:/), field: 'county' });
  });

  it('warning tiers that leave a rank uncovered', () => {
    const e = refusal(withLine(lineOf(/tier: yellow/), '  - { tier: yellow, fromRank: 3, toRank: 3, label: { zh: 黄色, en: yellow } }'));
    expect(e).toMatchObject({ line: lineOf(/^warningTiers:/), field: 'warningTiers' });
    expect(e.message).toContain('rank 4 is in no tier');
  });

  it('warning tiers that cover a rank twice', () => {
    const e = refusal(withLine(lineOf(/tier: green/), '  - { tier: green, fromRank: 1, toRank: 3, label: { zh: 绿色, en: green } }'));
    expect(e).toMatchObject({ line: lineOf(/^warningTiers:/), field: 'warningTiers' });
    expect(e.message).toContain('rank 3 is in more than one tier (green, yellow)');
  });

  it('YAML that does not parse', () => {
    const line = lineOf(/^title:/);
    const e = refusal(withLine(line, 'title: [unclosed'));
    expect(e.line).toBeGreaterThanOrEqual(line);
    expect(e.message).toMatch(new RegExp(`^${FILE} line \\d+: YAML syntax: `));
  });

  it('reports every problem, in line order, the first also in the message', () => {
    const text = withLine(indicatorLine(40, 'kind'), '    kind: judged', withLine(indicatorLine(5, 'units'), '    units: [nobody]'));
    const e = refusal(text);
    expect(e.errors.map((x) => x.field)).toEqual(['indicators[4].units[0]', 'indicators[39].kind']);
    expect(e.message.split('\n')[0]).toBe(e.errors[0]!.message);
    expect(e.message).toContain(e.errors[1]!.message);
  });
});

describe('optional sections take the 2023 values', () => {
  it('a plan without supervisionDeadlines or holidayPolicy gets the defaults', () => {
    const text = TEXT.replace(/^supervisionDeadlines:[\s\S]*$/m, '').replace(/^  holidayPolicy: .*\n/m, '');
    const plan = parsePlanFile(text, FILE);
    expect(plan.supervisionDeadlines).toEqual(DEFAULT_SUPERVISION_DEADLINES);
    expect(plan.monthlyReport.holidayPolicy).toBe('stays');
  });

  it('refuses a step deadline that is not a positive whole number of working days', () => {
    const line = lineOf(/^  planWorkingDays:/);
    const e = refusal(withLine(line, '  planWorkingDays: 0'));
    expect(e.message).toBe(`${FILE} line ${line}: supervisionDeadlines: planWorkingDays: must be a positive whole number of working days, got 0`);
  });

  it('refuses an unknown holiday policy', () => {
    const line = lineOf(/^  holidayPolicy:/);
    const e = refusal(withLine(line, '  holidayPolicy: postpone'));
    expect(e.message).toBe(`${FILE} line ${line}: monthlyReport: holidayPolicy: must be one of stays, next-working-day, got "postpone"`);
  });
});

describe('another county or year is data, not code', () => {
  it('parses a plan for another county and year with the year-named slots renamed', () => {
    const text = TEXT.replace(/^id: .*$/m, 'id: baofeng-county-2024')
      .replace(/^year: .*$/m, 'year: 2024')
      .replace(/^county: .*$/m, 'county: 宝丰县')
      .replace('{ id: ye, name: 叶县, ours: true }', '{ id: ye, name: 叶县 }')
      .replace('{ id: baofeng, name: 宝丰县 }', '{ id: baofeng, name: 宝丰县, ours: true }')
      .replaceAll('baseline2022:', 'baseline2023:')
      .replaceAll('target2023:', 'target2024:')
      .replace('baseline2023: { value: null, rank: null }', 'baseline2023: { value: 7.5, rank: 2 }');
    const plan = parsePlanFile(text, 'baofeng-county-2024.yaml');
    expect(plan).toMatchObject({ id: 'baofeng-county-2024', year: 2024, county: '宝丰县' });
    expect(plan.indicators[0]!.baseline).toEqual({ value: 7.5, rank: 2 });
  });

  it("refuses last year's slot names in a new year's plan", () => {
    const e = refusal(TEXT.replace(/^year: .*$/m, 'year: 2024'));
    const first = e.errors.filter((x) => x.field.startsWith('indicators[0].')).map((x) => x.message);
    expect(first).toEqual([
      `${FILE} line ${indicatorLine(1)}: indicator 1: missing required field "baseline2023"`,
      `${FILE} line ${indicatorLine(1)}: indicator 1: missing required field "target2024"`,
      expect.stringContaining(`line ${indicatorLine(1, 'baseline2022')}: indicator 1: baseline2022: unknown field "baseline2022"; expected one of:`),
      expect.stringContaining(`line ${indicatorLine(1, 'target2023')}: indicator 1: target2023: unknown field "target2023"`),
    ]);
  });
});

describe('the official documents’ series (issue 16)', () => {
  it('reads each body’s numbering, the first number of a year where set', () => {
    const plan = parsePlanFile(TEXT, FILE);
    const government = plan.documents!.series.find((s) => s.id === 'government')!;
    expect(government).toMatchObject({ prefix: '叶政', kinds: ['reward-decision'] });
    expect(government.years.find((y) => y.year === 2023)).toEqual({ year: 2023, first: 21 });
  });

  it('refuses a kind numbered by two bodies, and a year listed twice', () => {
    const e = refusal(
      TEXT.replace('kinds: [reward-decision]', 'kinds: [reward-decision, quarterly-notice]').replace(
        'years: [{ year: 2023 }, { year: 2024 },',
        'years: [{ year: 2023 }, { year: 2023 },',
      ),
    );
    expect(e.errors.map((x) => x.message)).toEqual([
      expect.stringContaining('documents: series[0]: years[1]: duplicate year 2023'),
      expect.stringContaining('documents: series[1]: kinds[1]: quarterly-notice is numbered by series office already: a kind belongs to one series'),
    ]);
  });

  it('refuses an unknown kind, naming the field', () => {
    const e = refusal(TEXT.replace('kinds: [reward-decision]', 'kinds: [circular]'));
    expect(e.errors.map((x) => x.field)).toContain('documents.series[1].kinds[0]');
  });
});
