import { MemoryDocs } from '../../engine/projections/docs.js';
import { timelinePage } from './timeline-page.js';
import {
  emptyStatus,
  evolveStatus,
  indicatorKey,
  STATUS_EVERY,
  statusBefore,
  storeUnitItem,
  unitKey,
  unitStatuses,
  type StoredEntry,
  type StoredStatus,
  type TimelineEntry,
  type UnitState,
} from './timeline.projection.js';

type Ev = Parameters<typeof evolveStatus>[1];
const ev = (type: string, data: Record<string, unknown>) => ({ type, data }) as unknown as Ev;

/** A unit's year: reports month by month, standings, a revision of an older period, cases, a decision; many steps change nothing. */
function history(): Ev[] {
  const out: Ev[] = [];
  for (let m = 1; m <= 12; m++) {
    const period = `2023-${String(m).padStart(2, '0')}`;
    out.push(ev('ReportOpened', { period }), ev('ReportReminderSent', { period }), ev('ReportDraftSaved', { period }), ev('ReportSubmitted', { period }));
    if (m % 4 === 0) out.push(ev('ReportOverdue', { period }));
    out.push(ev('ReportSigned', { period }), ev('ReportReceived', { period }));
    for (const no of [3, 12, 28]) out.push(ev('StandingChanged', { indicatorNo: no, period, rank: { to: (m + no) % 6 }, warning: { to: m % 3 ? 'green' : 'red' } }));
    if (m > 1) out.push(ev('StandingChanged', { indicatorNo: 3, period: `2023-${String(m - 1).padStart(2, '0')}`, rank: { to: 1 }, warning: { to: 'green' } }));
    if (m % 3 === 0) out.push(ev('CaseOpened', { indicatorNo: 28, caseNo: m }), ev('CaseAcknowledged', { indicatorNo: 28, caseNo: m, next: { step: 'plan' } }));
    if (m % 3 === 1 && m > 1) out.push(ev('CaseEscalated', { indicatorNo: 28, caseNo: m - 1 }), ev('CaseClosed', { indicatorNo: 28, caseNo: m - 1 }));
  }
  out.push(ev('ProposalApproved', { decisions: [{ unitId: 'u', tier: 'red', indicators: [{ indicatorNo: 28 }, { indicatorNo: 3 }] }] }));
  out.push(ev('ProposalApproved', { decisions: [{ unitId: 'u', tier: null, indicators: [{ indicatorNo: 12 }] }] }));
  return out;
}

describe('unit timeline items: the status stored whole now and then, else what changed; each entry stored once, in one list', () => {
  // As the projection stores them (through JSON, as the read-model store does), and as they were before (the status on every entry).
  const expected: TimelineEntry[] = [];
  const entries: StoredEntry[] = [];
  const stored: StoredStatus[] = [];
  let kept: UnitState | undefined;
  history().forEach((e, i) => {
    const seq = i + 1;
    const base = {
      seq,
      position: String(seq),
      streamId: 's',
      revision: seq,
      eventId: `e${seq}`,
      type: e.type,
      at: new Date(Date.UTC(2023, 0, 1) + seq * 60_000).toISOString(),
      who: { userId: 'x', role: 'office' },
      indicatorNos: [] as number[],
      summary: { zh: '', en: '' },
    };
    const status = evolveStatus(kept?.status ?? emptyStatus(), e, 'u');
    const next = storeUnitItem(kept, status);
    kept = JSON.parse(JSON.stringify(next.state)) as UnitState;
    stored.push(JSON.parse(JSON.stringify(next.item)) as StoredStatus);
    entries.push(JSON.parse(JSON.stringify(base)) as StoredEntry);
    expected.push({ ...base, status });
  });

  it('reads back exactly what the status on every entry was, key order included, and stores far less', () => {
    expect(stored.length).toBeGreaterThan(3 * STATUS_EVERY);
    const statuses = unitStatuses(stored);
    expect(entries.map((e, i) => JSON.stringify({ ...e, status: statuses[i] }))).toEqual(expected.map((e) => JSON.stringify(e)));
    const whole = stored.filter((s) => s.status !== undefined).length;
    expect(whole).toBeLessThanOrEqual(Math.ceil(stored.length / STATUS_EVERY) + 1);
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(expected.map((e) => e.status)).length / 4);
  });

  it('pages from any cursor, filtered or not, with the same entries and statuses as the list whole', async () => {
    const docs = new MemoryDocs();
    // Entries stored in the unit's own list, in another unit's, or in an indicator's (EntryRef).
    for (const [i, s] of stored.entries()) {
      const seq = i + 1;
      if (seq % 3 === 0) {
        docs.put('unit', unitKey('p', 'u', seq), { ...entries[i], ...s });
      } else if (seq % 3 === 1) {
        docs.put('unit', unitKey('p', 'v', seq), { ...entries[i], status: emptyStatus() });
        docs.put('unit', unitKey('p', 'u', seq), { in: 'v', ...s });
      } else {
        docs.put('indicator', indicatorKey('p', 9, seq), entries[i]);
        docs.put('unit', unitKey('p', 'u', seq), { in: 9, ...s });
      }
    }
    await docs.fold([], { name: 'timeline', version: 7, apply: () => undefined }); // committed, as read from the store
    const prefix = unitKey('p', 'u');
    for (const seq of stored.map((_, i) => i + 1)) {
      const before = await statusBefore(docs, prefix, unitKey('p', 'u', seq));
      expect(JSON.stringify(before)).toBe(seq === 1 ? undefined : JSON.stringify(expected[seq - 2]!.status));
    }
    const json = (items: TimelineEntry[]) => items.map((e) => JSON.stringify(e));
    for (const after of [undefined, ...entries.filter((e) => e.seq % 7 === 3).map((e) => unitKey('p', 'u', e.seq).slice(prefix.length))]) {
      const page = await timelinePage(docs, 'unit', prefix, {}, after, 9);
      const start = after === undefined ? 0 : Number(after);
      expect(json(page.items)).toEqual(json(expected.slice(start, start + 9)));
      const red = await timelinePage(docs, 'unit', prefix, { types: ['CaseClosed', 'ProposalApproved'] }, after, 2);
      expect(json(red.items)).toEqual(
        json(
          expected
            .slice(start)
            .filter((e) => ['CaseClosed', 'ProposalApproved'].includes(e.type))
            .slice(0, 2),
        ),
      );
    }
  });
});
