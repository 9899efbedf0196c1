import { MemoryDocs } from '../../engine/projections/docs.js';
import { timelinePage } from './timeline-page.js';
import {
  appendUnitItem,
  entriesOf,
  evolveStatus,
  indicatorKey,
  LIST_CHUNK,
  listCollection,
  UNIT_REOPEN,
  unitKey,
  unitList,
  type StoredEntry,
  type TimelineEntry,
  type UnitChunk,
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

describe('unit timeline items: stored in chunks, the status whole first in each, else what changed; each entry stored once, in one list', () => {
  // As they were before (the status on every entry).
  const expected: TimelineEntry[] = [];
  const entries: StoredEntry[] = [];
  const events = history();
  events.forEach((e, i) => {
    const seq = i + 1;
    const base: StoredEntry = {
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
    entries.push(base);
    expected.push({ ...base, status: evolveStatus(expected.at(-1)?.status ?? { warnings: {}, openCases: [], reports: {}, decisions: {} }, e, 'u') });
  });

  /**
   * Unit u's list as the projection stores it, committed every `batch` items (the runner's pages):
   * its entries stored in its own list, in another unit's, or in an indicator's (EntryRef).
   */
  async function stored(batch: number): Promise<MemoryDocs> {
    const docs = new MemoryDocs();
    const commit = () => docs.fold([], { name: 'timeline', version: 9, apply: () => undefined });
    for (const [i, e] of events.entries()) {
      const seq = i + 1;
      const evolve = (before: TimelineEntry['status'] & object) => evolveStatus(before, e, 'u');
      if (seq % 3 === 0) await appendUnitItem(docs, 'p', 'u', seq, entries[i]!, evolve);
      else if (seq % 3 === 1) {
        const home = await appendUnitItem(docs, 'p', 'v', seq, entries[i]!, (s) => s);
        await appendUnitItem(docs, 'p', 'u', seq, home, evolve);
      } else {
        docs.put('indicator', indicatorKey('p', 9, seq), entries[i]);
        await appendUnitItem(docs, 'p', 'u', seq, 9, evolve);
      }
      if (seq % batch === 0) await commit();
    }
    await commit();
    return docs;
  }

  it('reads back exactly the entries and the status after each, key order included, in far fewer documents, each item written about once', async () => {
    for (const batch of [1, 7, 40, 1000]) {
      const docs = await stored(batch);
      const prefix = unitKey('p', 'u');
      const items = await unitList(docs, prefix);
      const whole = (await entriesOf(docs, prefix, items)).map((e, i) => ({ ...e, status: items[i]!.doc.status }));
      expect(whole.map((e) => JSON.stringify(e))).toEqual(expected.map((e) => JSON.stringify(e)));
      const chunks = await docs.list<UnitChunk>(listCollection('unit'), prefix);
      // Committed item by item, a chunk takes items until UNIT_REOPEN; within a batch, until LIST_CHUNK.
      for (const { key, doc } of chunks) {
        expect(key).toBe(unitKey('p', 'u', doc[0]![0]));
        expect(doc[0]![1].status).toBeDefined();
        expect(doc.length).toBeLessThanOrEqual(LIST_CHUNK);
      }
      expect(chunks.length).toBeLessThanOrEqual(Math.ceil(expected.length / Math.min(UNIT_REOPEN, batch)) + 1);
      expect(chunks.filter((c) => c.doc.some(([, item]) => item.status !== undefined)).length).toBe(chunks.length);
      expect(JSON.stringify(chunks.map((c) => c.doc.map(([, item]) => item.status ?? item.statusChange))).length).toBeLessThan(
        JSON.stringify(expected.map((e) => e.status)).length / (batch === 1 ? 2 : 4),
      );
    }
  });

  it('pages from any cursor, filtered or not, with the same entries and statuses as the list whole', async () => {
    const json = (items: TimelineEntry[]) => items.map((e) => JSON.stringify(e));
    for (const batch of [1, 40]) {
      const docs = await stored(batch);
      const prefix = unitKey('p', 'u');
      for (const after of [undefined, '0', '~', ...entries.filter((e) => e.seq % 7 === 3).map((e) => unitKey('p', 'u', e.seq).slice(prefix.length))]) {
        const start = after === undefined || after === '0' ? 0 : after === '~' ? expected.length : Number(after);
        for (const limit of [1, 9, 100]) {
          const page = await timelinePage(docs, 'unit', prefix, {}, after, limit);
          expect(json(page.items)).toEqual(json(expected.slice(start, start + limit)));
        }
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
    }
  });
});
