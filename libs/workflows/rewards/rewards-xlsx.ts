// Loaded when a workbook is written, not at start: exceljs alone costs ~0.4 s of start-up (more
// on a loaded machine), and every export controller imports this module.
import type ExcelJS from 'exceljs';
import type { Language } from '../../engine/nest/http/problem-details.js';
import type { Consequence, Label } from '../plan/plan-file.js';
import type { ConflictDecision, LineTerms } from './rewards.events.js';
import type { AmendmentRecord, DecisionListView, ProposalView } from './review.projection.js';

/**
 * The year-end workbooks an office asks for (issue 16): the proposed list (拟奖惩名单) and the
 * approved decision (奖惩决定). One row per unit: its indicators with their annual ranks, the best
 * rank (a number), the tier, the consequences in the plan's words, the working funds in months (a
 * number: negative deducts), and every amendment with its reason. The header row is Chinese, or
 * English when the reader asks for it (Accept-Language: en-US); the plan's own wording (units,
 * indicators, consequences) stays as the plan writes it.
 */

const WORDS = {
  'zh-CN': {
    proposalTitle: (y: number) => `${y}年度目标责任考核拟奖惩名单`,
    decisionTitle: (y: number) => `${y}年度目标责任考核奖惩决定`,
    status: { draft: '草拟中', submitted: '已报审', approved: '已审定', published: '已公布' } as Record<string, string>,
    statusLine: (status: string, asOf: string) => `状态：${status}　截至 ${asOf}（北京时间）`,
    head: {
      no: '序号',
      unit: '单位',
      indicators: '指标及年度排名',
      bestRank: '最好年度排名',
      indicatorCount: '排名指标数',
      proposedTier: '拟定等次',
      decidedTier: '决定等次',
      proposed: '拟奖惩措施',
      decided: '奖惩决定',
      funds: '工作经费（月）',
      excluded: '是否剔除',
      conflict: '等次冲突及处理',
      amended: '是否修改',
      amendmentCount: '修改次数',
      amendments: '修改及理由',
    },
    yes: '是',
    none: '—',
    rank: (n: number) => `第${n}名`,
    decision: { reward: '予以奖励', penalty: '予以处罚', neither: '不奖不罚' } as Record<ConflictDecision, string>,
    undecided: '待处理',
    excludedWord: '剔除',
    sheet: { proposal: '拟奖惩名单', decision: '奖惩决定', excluded: '剔除单位' },
  },
  'en-US': {
    proposalTitle: (y: number) => `Proposed rewards and penalties, ${y}`,
    decisionTitle: (y: number) => `Decision on rewards and penalties, ${y}`,
    status: { draft: 'draft', submitted: 'submitted', approved: 'approved', published: 'published' } as Record<string, string>,
    statusLine: (status: string, asOf: string) => `Status: ${status}; as of ${asOf} (Beijing time)`,
    head: {
      no: 'No.',
      unit: 'Unit',
      indicators: 'Indicators and annual ranks',
      bestRank: 'Best annual rank',
      indicatorCount: 'Ranked indicators',
      proposedTier: 'Proposed tier',
      decidedTier: 'Decided tier',
      proposed: 'Proposed consequences',
      decided: 'Decided consequences',
      funds: 'Working funds (months)',
      excluded: 'Excluded',
      conflict: 'Tier conflict and decision',
      amended: 'Amended',
      amendmentCount: 'Amendments',
      amendments: 'Amendments and reasons',
    },
    yes: 'yes',
    none: '—',
    rank: (n: number) => `rank ${n}`,
    decision: { reward: 'reward', penalty: 'penalty', neither: 'neither' } as Record<ConflictDecision, string>,
    undecided: 'to decide',
    excludedWord: 'excluded',
    sheet: { proposal: 'Proposed list', decision: 'Decision', excluded: 'Excluded units' },
  },
} as const;

type Words = (typeof WORDS)[Language];

/** Beijing time as the county reads it. */
const beijing = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
const labelOf = (l: Label | null, lang: Language, w: Words) => (l ? (lang === 'zh-CN' ? l.zh : l.en) : w.none);
const consequencesText = (cs: readonly Consequence[], w: Words) => cs.map((c) => c.zh).join('；') || w.none;
/** Working funds in months: + adds, − deducts; null when the line has none (an empty cell, not 0). */
const fundsOf = (cs: readonly Consequence[]): number | null => {
  const funds = cs.filter((c): c is Extract<Consequence, { kind: 'working-funds' }> => c.kind === 'working-funds');
  return funds.length ? funds.reduce((n, c) => n + c.months, 0) : null;
};
const indicatorsText = (is: readonly { indicatorNo: number; indicatorName: string; annualRank: number }[], w: Words) =>
  is.map((i) => `${i.indicatorNo}. ${i.indicatorName} ${w.rank(i.annualRank)}`).join('\n');
const bestRank = (is: readonly { annualRank: number }[]): number | null => (is.length ? Math.min(...is.map((i) => i.annualRank)) : null);

function termsText(t: LineTerms, tiers: ProposalView['tiers'], lang: Language, w: Words): string {
  if (t.excluded) return w.excludedWord;
  const tier = tiers.find((x) => x.tier === t.tier);
  return `${tier ? labelOf(tier.label, lang, w) : w.none}（${consequencesText(t.consequences, w)}）`;
}

function amendmentsText(as: readonly AmendmentRecord[], tiers: ProposalView['tiers'], lang: Language, w: Words): string {
  return as.map((a) => `${beijing(a.at)} ${a.by.name ?? a.by.userId}：${termsText(a.before, tiers, lang, w)} → ${termsText(a.after, tiers, lang, w)}；${a.reason}`).join('\n');
}

function conflictText(
  c: { tiers: string[]; decided?: { decision: ConflictDecision; reason: string } | null; decision?: ConflictDecision; reason?: string } | null,
  tiers: ProposalView['tiers'],
  lang: Language,
  w: Words,
): string {
  if (!c) return '';
  const names = c.tiers.map((t) => labelOf(tiers.find((x) => x.tier === t)?.label ?? null, lang, w)).join(lang === 'zh-CN' ? '、' : ', ');
  const decision = c.decided?.decision ?? c.decision;
  const reason = c.decided?.reason ?? c.reason;
  return `${names}：${decision ? `${w.decision[decision]}；${reason ?? ''}` : w.undecided}`;
}

function sheetOf(wb: ExcelJS.Workbook, name: string, title: string, status: string, head: string[], widths: number[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name);
  ws.addRow([title]).font = { bold: true, size: 14 };
  ws.addRow([status]);
  ws.addRow(head).font = { bold: true };
  ws.columns.forEach((c, i) => (c.width = widths[i] ?? 12));
  ws.views = [{ state: 'frozen', xSplit: 2, ySplit: 3 }];
  return ws;
}

/** 拟奖惩名单: every line of the current proposal, excluded ones marked, with its amendments and reasons. */
export async function proposalWorkbook(view: ProposalView, lang: Language, asOf: string): Promise<Buffer> {
  const w = WORDS[lang];
  const h = w.head;
  const wb = new (await import('exceljs')).default.Workbook();
  wb.creator = 'Jixiao 绩效';
  const ws = sheetOf(
    wb,
    w.sheet.proposal,
    w.proposalTitle(view.year),
    w.statusLine(w.status[view.status] ?? view.status, beijing(asOf)),
    [h.no, h.unit, h.indicators, h.bestRank, h.indicatorCount, h.proposedTier, h.proposed, h.funds, h.excluded, h.conflict, h.amendmentCount, h.amendments],
    [6, 24, 40, 10, 8, 12, 40, 10, 8, 36, 8, 60],
  );
  view.lines.forEach((l, i) => {
    const row = ws.addRow([
      i + 1,
      l.unitName,
      indicatorsText(l.indicators, w),
      bestRank(l.indicators),
      l.indicators.length,
      l.tier ? labelOf(l.tierLabel, lang, w) : w.none,
      consequencesText(l.consequences, w),
      fundsOf(l.consequences),
      l.excluded ? w.yes : '',
      conflictText(l.conflict, view.tiers, lang, w),
      l.amendments.length,
      amendmentsText(l.amendments, view.tiers, lang, w),
    ]);
    row.alignment = { vertical: 'top', wrapText: true };
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * 奖惩决定: one row per decided unit as the county government approved it; the amendments and their
 * reasons come from the proposal (given when the reader may read it). A second sheet names the
 * units the office excluded, with the reasons.
 */
export async function decisionWorkbook(list: DecisionListView, proposal: ProposalView | undefined, lang: Language, asOf: string): Promise<Buffer> {
  const w = WORDS[lang];
  const h = w.head;
  const tiers = proposal?.tiers ?? [];
  const amendmentsOf = (lineId: string) => proposal?.lines.find((l) => l.lineId === lineId)?.amendments ?? [];
  const wb = new (await import('exceljs')).default.Workbook();
  wb.creator = 'Jixiao 绩效';
  const ws = sheetOf(
    wb,
    w.sheet.decision,
    w.decisionTitle(list.year),
    w.statusLine(w.status[list.status] ?? list.status, beijing(asOf)),
    [h.no, h.unit, h.indicators, h.bestRank, h.indicatorCount, h.decidedTier, h.decided, h.funds, h.conflict, h.amended, h.amendmentCount, h.amendments],
    [6, 24, 40, 10, 8, 12, 40, 10, 36, 8, 8, 60],
  );
  list.decisions.forEach((d, i) => {
    const amendments = amendmentsOf(d.lineId);
    const row = ws.addRow([
      i + 1,
      d.unitName,
      indicatorsText(d.indicators, w),
      bestRank(d.indicators),
      d.indicators.length,
      d.tier ? labelOf(d.tierLabel, lang, w) : w.none,
      consequencesText(d.consequences, w),
      fundsOf(d.consequences),
      conflictText(d.conflict, tiers, lang, w),
      d.amended ? w.yes : '',
      amendments.length,
      amendmentsText(amendments, tiers, lang, w),
    ]);
    row.alignment = { vertical: 'top', wrapText: true };
  });
  const excluded = proposal?.lines.filter((l) => l.excluded) ?? [];
  if (excluded.length) {
    const xs = sheetOf(wb, w.sheet.excluded, w.decisionTitle(list.year), w.sheet.excluded, [h.no, h.unit, h.indicators, h.bestRank, h.amendments], [6, 24, 40, 10, 60]);
    excluded.forEach((l, i) => xs.addRow([i + 1, l.unitName, indicatorsText(l.indicators, w), bestRank(l.indicators), amendmentsText(l.amendments, tiers, lang, w)]));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
