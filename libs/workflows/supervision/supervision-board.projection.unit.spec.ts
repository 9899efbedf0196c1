import { RecordedEvent } from '../../engine/event-store/event-store.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { caseKey, supervisionBoard, supervisionBoardProjection, type CaseView } from './supervision-board.projection.js';
import { supervisionDecider, type SupervisionCommand } from './supervision.decider.js';
import type { CaseLineEvent } from './supervision.events.js';
import { schedule2023 as schedule } from './supervision.fixtures.js';

const line = { planId: 'ye-county-2023', unitId: 'sthjj', indicatorNo: 28 };
const warning = { quarter: '2023-Q3', figuresPeriod: '2023-Q3', value: 47, rank: 6, warning: 'red' as const, source: { kind: 'manual' as const, note: '' } };

/** Decides each command, then records its events as the store would (revision, position, envelope). */
async function fold(commands: SupervisionCommand[]) {
  const history: CaseLineEvent[] = [];
  const recorded: RecordedEvent[] = [];
  for (const c of commands) {
    for (const e of given(supervisionDecider, history).when(c)) {
      history.push(e);
      const metadata = {
        actor: { userId: c.meta.actor.userId, role: c.meta.actor.roles[0]! },
        commandId: c.meta.commandId,
        correlationId: c.meta.commandId,
        causationId: c.meta.commandId,
        recordedAt: c.meta.now,
      };
      recorded.push(
        new RecordedEvent(
          'cases-ye-county-2023-sthjj-28',
          recorded.length,
          String(recorded.length + 1).padStart(6, '0'),
          `e${recorded.length}`,
          e.type,
          e.data,
          JSON.stringify(metadata),
        ),
      );
    }
  }
  return new MemoryDocs().fold(recorded, supervisionBoardProjection);
}

const open = {
  type: 'supervision.Open',
  data: { ...line, warning, context: { unitName: '县生态环境局', indicatorName: 'PM2.5年均浓度' }, schedule },
  meta: meta(['system'], { now: '2023-10-09T02:00:00.000Z' }),
} as SupervisionCommand;
const escalate = {
  type: 'supervision.Escalate',
  data: { ...line, caseNo: 1, kind: 'public-notice' },
  meta: meta(['supervisor'], { now: '2023-10-11T02:00:00.000Z', reason: '未按时确认' }),
} as SupervisionCommand;

describe('the supervision board', () => {
  it('a case’s age and whether its step is overdue are reckoned at query time, before any timer fires', async () => {
    const docs = await fold([open, escalate]);
    const [early] = await supervisionBoard(docs, 'ye-county-2023', {}, '2023-10-12T15:59:00.000Z');
    expect(early).toMatchObject({
      ageDays: 3,
      step: 'acknowledge',
      overdue: false,
      nextDeadline: { lastDay: '2023-10-12' },
      escalations: [{ kind: 'public-notice', at: '2023-10-11T02:00:00.000Z' }],
    });
    const [late] = await supervisionBoard(docs, 'ye-county-2023', {}, '2023-10-12T16:00:00.000Z');
    expect(late).toMatchObject({ overdue: true, overdueSteps: [] });
  });

  it('filters by unit, indicator and status; a closed case is off the default (open) board', async () => {
    const docs = await fold([open]);
    expect(await supervisionBoard(docs, 'ye-county-2023', { unitId: 'fgw' }, '2023-10-10T00:00:00.000Z')).toEqual([]);
    expect(await supervisionBoard(docs, 'ye-county-2023', { indicatorNo: 1 }, '2023-10-10T00:00:00.000Z')).toEqual([]);
    expect(await supervisionBoard(docs, 'ye-county-2023', { status: 'closed' }, '2023-10-10T00:00:00.000Z')).toEqual([]);
    expect(await supervisionBoard(docs, 'ye-county-2023', { unitId: 'sthjj', indicatorNo: 28 }, '2023-10-10T00:00:00.000Z')).toHaveLength(1);
  });

  it('the case page keeps the line stream’s revision, timers included, for If-Match', async () => {
    const docs = await fold([open]);
    const view = await docs.get<CaseView>('cases', caseKey('ye-county-2023', 'sthjj', 28, 1));
    expect(view).toMatchObject({ revision: 2, deadlines: [{ step: 'acknowledge', seq: 1, doneAt: null }] });
    expect(view!.history.map((h) => h.type)).toEqual(['CaseOpened']);
  });
});
