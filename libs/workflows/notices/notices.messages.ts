import { periodText } from '../plan/period.js';
import type { Text } from './notices.events.js';

/**
 * What is said, to whom, for each event that warrants a notice. Pure: the reactor and its test
 * call it with the event and the plan's names. Audiences are roles (with the unit, for a unit's
 * own people); the handler turns them into people from the accounts on record.
 */
export interface Audience {
  role: 'reporter' | 'head' | 'office' | 'supervisor' | 'leader';
  /** For reporter and head: that unit's people only. */
  unitId?: string;
}

export interface Message {
  kind: string;
  planId: string;
  unitId?: string;
  audience: Audience[];
  title: Text;
  body: Text;
  link?: string;
}

export interface Names {
  unit(unitId: string): string;
  indicator(no: number): string;
}

export const NOTICE_SOURCE_TYPES = [
  'ReportReminderSent',
  'ReportOverdue',
  'ReportReturned',
  'QuarterPublished',
  'CaseOpened',
  'CaseStepReminderSent',
  'CaseStepOverdue',
  'CaseEscalated',
  'CaseReviewed',
  'CaseClosed',
  'ProposalApproved',
  'DecisionsPublished',
] as const;

const STEP: Record<string, Text> = {
  acknowledge: { zh: '签收', en: 'acknowledgement' },
  plan: { zh: '整改方案', en: 'rectification plan' },
  feedback: { zh: '整改反馈', en: 'rectification feedback' },
  review: { zh: '审核', en: 'review' },
  close: { zh: '结案', en: 'closing' },
};

/** Beijing time, as the county reads a deadline: 2023-07-05T16:00:00Z → 2023-07-06 00:00. */
export function beijing(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3600_000);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}

type Data = Record<string, unknown>;
const unitPeople = (unitId: string): Audience[] => [
  { role: 'reporter', unitId },
  { role: 'head', unitId },
];

/** The message an event warrants, or null (not every event is news to someone). */
export function messageOf(type: string, d: Data, names: Names): Message | null {
  const planId = String(d.planId ?? '');
  const unitId = typeof d.unitId === 'string' ? d.unitId : undefined;
  const unit = unitId ? names.unit(unitId) : '';
  switch (type) {
    case 'ReportReminderSent': {
      const m = periodText(String(d.period));
      const toHead = d.to === 'head';
      return {
        kind: 'report-reminder',
        planId,
        unitId: unitId!,
        audience: [{ role: toHead ? 'head' : 'reporter', unitId: unitId! }],
        title: { zh: `提醒：${m.zh}月报${toHead ? '待签字盖章' : '即将到期'}`, en: `Reminder: the ${m.en} report ${toHead ? 'awaits your signature' : 'is due soon'}` },
        body: {
          zh: `${unit}${m.zh}高质量发展绩效指标进展情况报告须于 ${beijing(String(d.dueAt))}（北京时间）前报送${toHead ? '，请主要负责人审核签字盖章' : ''}。`,
          en: `${unit}'s ${m.en} progress report is due before ${beijing(String(d.dueAt))} (Beijing time)${toHead ? '; the unit head signs and seals it' : ''}.`,
        },
        link: `/unit?period=${String(d.period)}`,
      };
    }
    case 'ReportOverdue': {
      const m = periodText(String(d.period));
      return {
        kind: 'report-overdue',
        planId,
        unitId: unitId!,
        audience: unitPeople(unitId!),
        title: { zh: `逾期：${m.zh}月报未按时报送`, en: `Overdue: the ${m.en} report was not sent in time` },
        body: {
          zh: `${unit}${m.zh}月报报送时限 ${beijing(String(d.dueAt))} 已过，请尽快报送。`,
          en: `${unit}'s ${m.en} report was due ${beijing(String(d.dueAt))}; send it as soon as possible.`,
        },
        link: `/unit?period=${String(d.period)}`,
      };
    }
    case 'ReportReturned': {
      const m = periodText(String(d.period));
      return {
        kind: 'report-returned',
        planId,
        unitId: unitId!,
        audience: unitPeople(unitId!),
        title: { zh: `退回：${m.zh}月报被县推进办退回`, en: `Returned: the ${m.en} report was returned by the office` },
        body: { zh: `退回原因：${String(d.reason)}。请修改后重新报送。`, en: `Reason: ${String(d.reason)}. Correct it and send it again.` },
        link: `/unit?period=${String(d.period)}`,
      };
    }
    case 'QuarterPublished': {
      const counts = (d.snapshot as { counts?: { green: number; yellow: number; red: number; missing: number } } | undefined)?.counts;
      const q = String(d.quarter);
      const qt = periodText(q);
      const c = counts
        ? { zh: `绿色 ${counts.green}、黄色 ${counts.yellow}、红色 ${counts.red}`, en: `green ${counts.green}, yellow ${counts.yellow}, red ${counts.red}` }
        : { zh: '', en: '' };
      return {
        kind: 'quarter-published',
        planId,
        audience: [{ role: 'leader' }, { role: 'office' }, { role: 'supervisor' }],
        title: { zh: `${qt.zh}评估结果已公布`, en: `The ${qt.en} quarterly assessment is published` },
        body: { zh: `${qt.zh}绩效评估结果已公布：${c.zh}。`, en: `The ${qt.en} quarterly assessment is published: ${c.en}.` },
        link: `/assessment?quarter=${q}`,
      };
    }
    case 'CaseOpened':
    case 'CaseStepReminderSent':
    case 'CaseStepOverdue':
    case 'CaseEscalated':
    case 'CaseReviewed':
    case 'CaseClosed': {
      const no = Number(d.indicatorNo);
      const caseNo = Number(d.caseNo);
      const what = {
        zh: `${unit}第${no}项“${names.indicator(no)}”督查案件（第${caseNo}件）`,
        en: `${unit}'s supervision case ${caseNo} on indicator ${no} (${names.indicator(no)})`,
      };
      const link = `/supervision/cases/${unitId}/${no}/${caseNo}`;
      const audience: Audience[] = [...unitPeople(unitId!), { role: 'supervisor' }];
      const next = d.next as { step: string; dueAt: string } | null | undefined;
      const nextText = next
        ? { zh: `下一环节：${STEP[next.step]?.zh ?? next.step}，时限 ${beijing(next.dueAt)}。`, en: `Next: ${STEP[next.step]?.en ?? next.step}, due ${beijing(next.dueAt)}.` }
        : { zh: '', en: '' };
      const step = STEP[String(d.step)] ?? { zh: String(d.step), en: String(d.step) };
      const base = { planId, unitId: unitId!, audience, link };
      switch (type) {
        case 'CaseOpened':
          return {
            ...base,
            kind: 'case-opened',
            title: { zh: `督查立案：${what.zh}`, en: `Case opened: ${what.en}` },
            body: { zh: `红色预警已立案督查。${nextText.zh}`, en: `A red warning is under supervision. ${nextText.en}` },
          };
        case 'CaseStepReminderSent':
          return {
            ...base,
            kind: 'case-reminder',
            title: { zh: `督查提醒：${step.zh}即将到期`, en: `Supervision reminder: ${step.en} due soon` },
            body: { zh: `${what.zh}的${step.zh}须于 ${beijing(String(d.dueAt))} 前完成。`, en: `The ${step.en} of ${what.en} is due before ${beijing(String(d.dueAt))}.` },
          };
        case 'CaseStepOverdue':
          return {
            ...base,
            kind: 'case-overdue',
            title: { zh: `督查超期：${step.zh}`, en: `Supervision overdue: ${step.en}` },
            body: { zh: `${what.zh}的${step.zh}已超过时限 ${beijing(String(d.dueAt))}。`, en: `The ${step.en} of ${what.en} passed its deadline ${beijing(String(d.dueAt))}.` },
          };
        case 'CaseEscalated': {
          const talk = d.kind === 'admonitory-talk';
          return {
            ...base,
            audience: [...audience, { role: 'leader' }],
            kind: 'case-escalated',
            title: { zh: `${talk ? '约谈' : '通报'}：${what.zh}`, en: `${talk ? 'Admonitory talk' : 'Public notice'}: ${what.en}` },
            body: { zh: `原因：${String(d.reason)}`, en: `Reason: ${String(d.reason)}` },
          };
        }
        case 'CaseReviewed': {
          const accepted = d.decision === 'accepted';
          return {
            ...base,
            kind: 'case-reviewed',
            title: { zh: `督查审核${accepted ? '通过' : '要求补充'}：${what.zh}`, en: `Supervision review ${accepted ? 'accepted' : 'asks for more'}: ${what.en}` },
            body: { zh: `${String(d.comment ?? '')} ${nextText.zh}`.trim(), en: `${String(d.comment ?? '')} ${nextText.en}`.trim() },
          };
        }
        default:
          return {
            ...base,
            kind: 'case-closed',
            title: { zh: `督查结案：${what.zh}`, en: `Case closed: ${what.en}` },
            body: { zh: String(d.text ?? ''), en: String(d.text ?? '') },
          };
      }
    }
    case 'ProposalApproved':
      return {
        kind: 'decision-approved',
        planId,
        audience: [{ role: 'office' }, { role: 'leader' }],
        title: { zh: `${String(d.year)}年度奖惩名单已经县政府审定`, en: `The ${String(d.year)} rewards and penalties list is approved` },
        body: { zh: '县政府已审定年度奖惩名单，县推进办可予公布。', en: 'The county government approved the year-end list; the office may publish it.' },
        link: '/year-end',
      };
    case 'DecisionsPublished':
      return {
        kind: 'decision-published',
        planId,
        audience: [{ role: 'head' }, { role: 'reporter' }, { role: 'office' }, { role: 'leader' }, { role: 'supervisor' }],
        title: { zh: `${String(d.year)}年度奖惩决定已公布`, en: `The ${String(d.year)} rewards and penalties are published` },
        body: { zh: `${String(d.year)}年度综合绩效考核奖惩决定已公布，请查看。`, en: `The ${String(d.year)} year-end decisions are published.` },
        link: '/year-end',
      };
    default:
      return null;
  }
}
