import { matchesSearch } from '../../apps/web/src/lib/search.js';
import { entryMatches, type EntryWords, type SearchableEntry } from '../../apps/web/src/lib/timeline-search.js';

/**
 * The auditor's search on a unit's timeline (issue 15) finds entries by what the reader sees: the
 * event type and subject in words, who acted, the reason; never by an internal stream id.
 */
const zh: EntryWords = {
  type: (type) => ({ ReportReturned: '退回', ReportSubmitted: '提交' })[type] ?? '其他事件',
  subject: (id) => (id.startsWith('report-') ? '财政局 2023年3月 月报' : '其他'),
  role: (role) => ({ office: '县推进办', reporter: '填报员', system: '系统' })[role] ?? role,
  period: (p) => p.replace(/^(\d{4})-0?(\d+)$/, '$1年$2月'),
  summary: (s) => s.zh,
};

const returned: SearchableEntry = {
  type: 'ReportReturned',
  streamId: 'report-ye-county-2023-czj-2023-03',
  who: { userId: 'u-17', role: 'office', name: '王科长' },
  why: '第28项数据与统计局不一致',
  period: '2023-03',
  summary: { zh: '推进办退回月报', en: 'The office returned the report' },
};
const timer: SearchableEntry = {
  type: 'ReportSubmitted',
  streamId: 'report-ye-county-2023-czj-2023-04',
  who: { userId: 'system', role: 'system', name: 'timers' },
  summary: { zh: '自动提交', en: 'Submitted' },
};

describe('searching a unit’s timeline', () => {
  it('matches the type, subject, actor, role, reason, period and summary as the reader reads them', () => {
    for (const q of ['退回', '财政局', '王科长', '推进办', '统计局', '2023年3月', '月报']) expect([q, entryMatches(q, returned, zh)]).toEqual([q, true]);
    // Every word must occur, each anywhere.
    expect(entryMatches('王科长 统计局', returned, zh)).toBe(true);
    expect(entryMatches('王科长 约谈', returned, zh)).toBe(false);
    expect(entryMatches('', returned, zh)).toBe(true);
  });

  it('never by the internal id nor by the English summary in zh-CN; the timers as 系统, not “timers”', () => {
    expect(entryMatches('czj', returned, zh)).toBe(false);
    expect(entryMatches('returned', returned, zh)).toBe(false);
    expect(entryMatches('系统', timer, zh)).toBe(true);
    expect(entryMatches('timers', timer, zh)).toBe(false);
  });

  it('the shared word matcher ignores case and empty texts', () => {
    expect(matchesSearch('ABC', null, undefined, 'xabcx')).toBe(true);
    expect(matchesSearch('  ', null)).toBe(true);
    expect(matchesSearch('a b', 'a')).toBe(false);
  });
});
