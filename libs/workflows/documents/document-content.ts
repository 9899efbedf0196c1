import type { PlanDefinition } from '../plan/plan-file.js';
import type { QuarterSnapshot, SnapshotRow } from '../assessment/assessment.events.js';
import type { QuarterView } from '../assessment/assessment.projection.js';
import type { CaseView } from '../supervision/supervision-board.projection.js';
import type { ProposalView, DecisionListView } from '../rewards/review.projection.js';
import type { ReportView } from '../reporting/reports.projection.js';
import type { Block, DocumentContent } from './documents.events.js';
import { chineseDate } from './pdf-render.js';

/**
 * The wording of each document, as pure functions of what the projections say and the plan: the
 * handler gathers the views, these write the content, and the content is recorded in the issue
 * event (so the document reads the same whatever the projections say later).
 */
export interface Letterhead {
  header: string;
  issuer: string;
  printedBy: string;
  /** 成文日期, YYYY-MM-DD local */
  date: string;
}

const WARNING_ZH: Record<string, string> = { green: '绿色', yellow: '黄色', red: '红色' };
const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : String(v));
/** The local date (YYYY-MM-DD) of an instant in the plan's time zone: the 成文日期 and the series' year. */
export function localDate(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}
/** A date, or an instant as the plan's county reads it (its local date), written 2023年7月19日. */
const dateZh = (plan: PlanDefinition, isoOrDate: string) => chineseDate(isoOrDate.length === 10 ? isoOrDate : localDate(isoOrDate, plan.monthlyReport.timeZone));
/** 2023-Q3 → 2023年第三季度; a month or year as people write it. */
const periodWords = (p: string) => (/^\d{4}-Q[1-4]$/.test(p) ? quarterZh(p) : /^\d{4}-\d{2}$/.test(p) ? periodZh(p) : `${p}年`);
const quarterZh = (q: string) => {
  const [y, n] = q.split('-Q');
  return `${y}年第${['', '一', '二', '三', '四'][Number(n)] ?? n}季度`;
};
const periodZh = (p: string) => {
  const [y, m] = p.split('-');
  return `${y}年${Number(m)}月`;
};
const unitNames = (plan: PlanDefinition, ids: readonly string[]) => ids.map((id) => plan.units.find((u) => u.id === id)?.name ?? id).join('、');
const planRef = (plan: PlanDefinition) => `《${plan.title}》（${plan.documentNumber}）`;

function change(row: SnapshotRow, prev: SnapshotRow | undefined): string {
  if (!prev || prev.rank === null || row.rank === null) return '—';
  const d = prev.rank - row.rank;
  return d > 0 ? `↑${d}` : d < 0 ? `↓${-d}` : '持平';
}

/** 季度评估通报: the table, the red and yellow warnings, and what moved since the last meeting. */
export function quarterlyNotice(plan: PlanDefinition, head: Letterhead, quarter: QuarterView, previous: QuarterSnapshot | null): DocumentContent {
  const snap = quarter.published!.snapshot;
  const prevRows = new Map((previous?.rows ?? []).map((r) => [r.indicatorNo, r]));
  const red = snap.rows.filter((r) => r.warning === 'red');
  const moved = snap.rows.filter((r) => {
    const p = prevRows.get(r.indicatorNo);
    return p && p.warning !== r.warning;
  });
  const q = quarterZh(snap.quarter);
  const body: Block[] = [
    {
      type: 'paragraph',
      text: `根据${planRef(plan)}，县推进办对各责任单位${q}指标完成情况及在${plan.peerGroup.name}中的排名进行了评估${quarter.meeting ? `，并于${dateZh(plan, quarter.meeting.date)}经领导小组会议研究` : ''}。现将有关情况通报如下。`,
    },
    { type: 'heading', level: 1, text: '一、总体情况' },
    {
      type: 'paragraph',
      text: `本季度纳入评估的指标${snap.rows.length}项（数据截至${periodWords(snap.figuresPeriod)}），其中绿色预警${snap.counts.green}项、黄色预警${snap.counts.yellow}项、红色预警${snap.counts.red}项，暂缺排名${snap.counts.missing}项；综合得分${snap.totalScore}分（满分${snap.maxScore}分）。`,
    },
    {
      type: 'table',
      caption: `${q}指标排名及预警情况`,
      columns: [
        { title: '序号', width: 1, align: 'center' },
        { title: '指标', width: 4.8 },
        { title: '责任单位', width: 3 },
        { title: '排名', width: 1.1, align: 'center' },
        { title: '预警', width: 1.1, align: 'center' },
        { title: '较上季度', width: 1.8, align: 'center' },
      ],
      rows: snap.rows.map((r) => [
        String(r.indicatorNo),
        r.name,
        unitNames(plan, r.units),
        r.rank === null ? '—' : `${r.rank}${r.provisional ? '*' : ''}`,
        r.warning ? WARNING_ZH[r.warning]! : '—',
        change(r, prevRows.get(r.indicatorNo)),
      ]),
    },
    { type: 'heading', level: 1, text: '二、红色预警指标' },
    {
      type: 'paragraph',
      text: red.length
        ? `以下${red.length}项指标排名全市六县（市）后两位，列为红色预警，由县委县政府督查局跟踪督查：${red.map((r) => `${r.name}（${unitNames(plan, r.units)}，第${r.rank}名）`).join('；')}。`
        : '本季度无红色预警指标。',
    },
    { type: 'heading', level: 1, text: '三、与上次会议相比的变化' },
    {
      type: 'paragraph',
      text: !previous
        ? '本季度为本年度首次评估，无上次会议可比。'
        : moved.length
          ? `与${quarterZh(previous.quarter)}评估相比，${moved.length}项指标预警等级发生变化：${moved.map((r) => `${r.name}由${WARNING_ZH[prevRows.get(r.indicatorNo)!.warning ?? ''] ?? '暂缺'}变为${r.warning ? WARNING_ZH[r.warning] : '暂缺'}`).join('；')}。`
          : `与${quarterZh(previous.quarter)}评估相比，各指标预警等级均无变化。`,
    },
  ];
  if (quarter.meeting) {
    body.push({ type: 'heading', level: 1, text: '四、下步要求' });
    for (const t of [quarter.meeting.conclusions, quarter.meeting.nextSteps].filter((x) => x?.trim())) body.push({ type: 'paragraph', text: t });
  }
  return {
    ...head,
    title: `${head.issuer}关于${q}高质量发展综合绩效评估情况的通报`,
    addressees: '县推进工作领导小组各成员单位，各责任单位',
    body,
    // 叶政〔2023〕20号 四(三): 排名结果分别报县委、县政府领导及各责任单位 — the units addressed, the leaders copied.
    copiesTo: '县委、县政府领导',
  };
}

const caseFacts = (c: CaseView) => {
  const w = c.warnings[0];
  return w
    ? `${c.unitName}负责的第${c.indicatorNo}项指标“${c.indicatorName}”在${periodWords(w.quarter)}评估中排名第${num(w.rank)}名，列为红色预警`
    : `${c.unitName}负责的第${c.indicatorNo}项指标“${c.indicatorName}”列为红色预警`;
};

/** 督查通报 of a case. */
export function supervisionNotice(plan: PlanDefinition, head: Letterhead, c: CaseView): DocumentContent {
  const steps: string[] = [];
  if (c.acknowledged) steps.push(`${dateZh(plan, c.acknowledged.at)}确认收到督查事项`);
  for (const p of c.plans)
    steps.push(`${dateZh(plan, p.at)}报送整改方案（计划${dateZh(plan, p.rectifyBy)}前完成）${p.review ? `，督查局审核${p.review.decision === 'accepted' ? '通过' : '退回'}` : ''}`);
  for (const f of c.feedbacks) steps.push(`${dateZh(plan, f.at)}报送整改反馈${f.review ? `，督查局审核${f.review.decision === 'accepted' ? '通过' : '退回'}` : ''}`);
  const overdue = c.deadlines.filter((d) => d.overdueAt);
  const notice = c.escalations.find((e) => e.kind === 'public-notice');
  return {
    ...head,
    title: `${head.issuer}关于${c.unitName}“${c.indicatorName}”指标红色预警督查情况的通报`,
    addressees: '各责任单位',
    body: [
      { type: 'paragraph', text: `根据${planRef(plan)}关于建立督查机制的要求，县委县政府督查局对红色预警指标开展跟踪督查。现将有关情况通报如下。` },
      { type: 'heading', level: 1, text: '一、基本情况' },
      { type: 'paragraph', text: `${caseFacts(c)}。${dateZh(plan, c.openedAt)}督查局立案督查（督查事项第${c.caseNo}号）。` },
      { type: 'heading', level: 1, text: '二、整改落实情况' },
      { type: 'paragraph', text: steps.length ? `${c.unitName}${steps.join('；')}。` : `截至目前，${c.unitName}尚未确认收到督查事项。` },
      ...(overdue.length ? [{ type: 'paragraph' as const, text: `其中${overdue.length}个环节未按期完成。` }] : []),
      { type: 'heading', level: 1, text: '三、通报事项' },
      { type: 'paragraph', text: notice ? `${notice.reason}` : `请${c.unitName}认真分析落后原因，落实整改措施，按期报送整改反馈。` },
      { type: 'paragraph', text: '各责任单位要引以为戒，对照目标任务，紧盯短板指标，确保全年目标任务完成。' },
    ],
  };
}

/** 约谈通知书 of a case, to the unit's principal. */
export function talkNotice(plan: PlanDefinition, head: Letterhead, c: CaseView): DocumentContent {
  const talk = c.escalations.find((e) => e.kind === 'admonitory-talk');
  return {
    ...head,
    title: '约谈通知书',
    addressees: `${c.unitName}主要负责同志`,
    body: [
      { type: 'paragraph', text: `${caseFacts(c)}。根据${planRef(plan)}关于建立督查机制的要求，经研究，决定对你单位主要负责同志进行约谈。` },
      ...(talk ? [{ type: 'paragraph' as const, text: `约谈事由：${talk.reason}` }] : []),
      { type: 'paragraph', text: '请你单位主要负责同志按通知要求准时参加约谈，并提前准备书面材料，说明指标落后原因、整改措施及完成时限。约谈时间、地点另行通知。' },
    ],
  };
}

const consequencesZh = (cs: readonly { zh: string }[]) => cs.map((x) => x.zh).join('；') || '—';

/** What each tier brings, said once above the list rather than on every line. */
function tierParagraphs(tiers: readonly { tier: string; label: { zh: string }; fromRank: number; toRank: number; consequences: readonly { zh: string }[] }[]): Block[] {
  return tiers.map((t) => ({ type: 'paragraph' as const, text: `${t.label.zh}（年度排名第${t.fromRank}至${t.toRank}名）：${consequencesZh(t.consequences)}。` }));
}

/** A line whose consequences differ from its tier's (amended by the office) says them itself. */
const ownTerms = (tiers: ProposalView['tiers'], tier: string | null, consequences: readonly { zh: string }[]) => {
  const def = tiers.find((t) => t.tier === tier);
  return def && consequencesZh(def.consequences) === consequencesZh(consequences) ? '' : `（调整为：${consequencesZh(consequences)}）`;
};

/** 拟奖惩名单: the office's list as it stands, to the county government for approval. */
export function rewardProposal(plan: PlanDefinition, head: Letterhead, p: ProposalView): DocumentContent {
  const lines = p.lines.filter((l) => !l.excluded && l.tier !== null);
  return {
    ...head,
    title: `${head.issuer}关于报请审定${p.year}年度高质量发展综合绩效拟奖惩名单的请示`,
    addressees: '县政府',
    body: [
      {
        type: 'paragraph',
        text: `根据${planRef(plan)}关于建立奖惩机制的要求，县推进办依据各责任单位指标年度排名情况，提出${p.year}年度拟奖惩名单（共${lines.length}个单位）。各方阵奖惩措施如下：`,
      },
      ...tierParagraphs(p.tiers),
      {
        type: 'table',
        caption: `${p.year}年度拟奖惩名单`,
        columns: [
          { title: '序号', width: 0.9, align: 'center' },
          { title: '单位', width: 2.6 },
          { title: '方阵', width: 1.5, align: 'center' },
          { title: '指标及年度排名', width: 8 },
        ],
        rows: lines.map((l, i) => [
          String(i + 1),
          l.unitName,
          l.tierLabel?.zh ?? '—',
          l.indicators.map((x) => `${x.indicatorName}（第${x.annualRank}名）`).join('；') + ownTerms(p.tiers, l.tier, l.consequences),
        ]),
      },
      { type: 'paragraph', text: `名单校验值（SHA-256）：${p.listHash ?? '（尚未提交）'}。` },
      { type: 'paragraph', text: '以上名单妥否，请批示。' },
    ],
  };
}

/** The county government's approved decision. */
export function rewardDecision(plan: PlanDefinition, head: Letterhead, d: DecisionListView, tiers: ProposalView['tiers']): DocumentContent {
  const decided = d.decisions.filter((x) => x.tier !== null);
  return {
    ...head,
    title: `${head.issuer}关于${d.year}年度高质量发展综合绩效奖惩的决定`,
    addressees: '各责任单位',
    body: [
      {
        type: 'paragraph',
        text: `根据${planRef(plan)}，县推进办依据各责任单位指标年度排名情况提出了拟奖惩名单，经县政府审定（${dateZh(plan, d.approved.at)}），现决定如下：`,
      },
      ...tierParagraphs(tiers),
      {
        type: 'table',
        caption: `${d.year}年度奖惩决定`,
        columns: [
          { title: '序号', width: 0.9, align: 'center' },
          { title: '单位', width: 2.6 },
          { title: '方阵', width: 1.5, align: 'center' },
          { title: '指标及年度排名', width: 8 },
        ],
        rows: decided.map((x, i) => [
          String(i + 1),
          x.unitName,
          x.tierLabel?.zh ?? '—',
          x.indicators.map((n) => `${n.indicatorName}（第${n.annualRank}名）`).join('；') + ownTerms(tiers, x.tier, x.consequences),
        ]),
      },
      { type: 'paragraph', text: `审定名单校验值（SHA-256）：${d.listHash}。` },
      { type: 'paragraph', text: '希望受表彰的单位再接再厉；受到通报批评的单位要深刻反思，认真整改，确保各项指标争先进位。' },
    ],
  };
}

/** A unit's monthly report (Annex 2 lines) with its signature block, as the office registers it. */
export function monthlyReport(plan: PlanDefinition, head: Letterhead, r: ReportView): DocumentContent {
  const byNo = new Map(r.indicators.map((i) => [i.no, i]));
  const sig = r.signature;
  return {
    ...head,
    header: `${r.unitName}`,
    issuer: r.unitName,
    title: `${r.unitName}关于${periodZh(r.period)}高质量发展综合绩效指标完成情况的报告`,
    addressees: plan.monthlyReport.deliverTo,
    body: [
      { type: 'paragraph', text: `根据${planRef(plan)}关于建立月报告机制的要求，现将本单位${periodZh(r.period)}指标完成情况报告如下。` },
      {
        type: 'table',
        caption: `${periodZh(r.period)}指标进展情况`,
        columns: [
          { title: '序号', width: 0.9, align: 'center' },
          { title: '指标', width: 3.4 },
          { title: '目标', width: 1.2, align: 'right' },
          { title: '完成', width: 1.2, align: 'right' },
          { title: '排名', width: 1, align: 'center' },
          { title: '存在问题', width: 3 },
          { title: '下步举措', width: 3 },
        ],
        rows: r.lines.map((l) => [
          String(l.indicatorNo),
          byNo.get(l.indicatorNo)?.name ?? String(l.indicatorNo),
          num(byNo.get(l.indicatorNo)?.target),
          num(l.value),
          num(l.rank),
          l.problems || '—',
          l.nextSteps || '—',
        ]),
      },
      {
        type: 'signature',
        lines: [
          `主要负责人签字：${sig ? sig.name : '（未签字）'}`,
          `签字时间：${sig ? dateZh(plan, sig.at) : '—'}`,
          `单位印章：${sig ? sig.seal.unitName : '（未盖章）'}`,
          `内容校验值：${(sig?.contentHash ?? r.contentHash ?? '—').slice(0, 16)}…`,
        ],
      },
    ],
  };
}
