import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { assessmentDecider, type AssessmentCommand, type MeetingInput } from './assessment.decider.js';
import type { AssessmentEvent, NotificationRecipient, QuarterSnapshot, SnapshotRow } from './assessment.events.js';

const ref = { planId: 'ye-county-2023', quarter: '2023-Q3' };
const row = (no: number, units: string[], rank: number | null, warning: SnapshotRow['warning']): SnapshotRow => ({
  indicatorNo: no,
  name: `指标${no}`,
  points: 2,
  units,
  value: rank === null ? null : 10 - rank,
  rank,
  warning,
  score: rank === null ? null : 2,
  basedOn: rank === null ? null : '000010',
  period: rank === null ? null : '2023-Q3',
});
const snapshot = (asOfPosition = '000100', rows = [row(1, ['fgw'], 2, 'green'), row(15, ['fgw', 'czj'], 5, 'red'), row(28, ['sthjj'], null, null)]): QuarterSnapshot => ({
  ...ref,
  figuresPeriod: '2023-Q3',
  scoringRuleVersion: 1,
  rows,
  totalScore: 4,
  maxScore: 6,
  counts: { green: 1, yellow: 0, red: 1, missing: 1 },
  asOfPosition,
});
const meeting: MeetingInput = { date: '2023-10-12', attendees: ['文晓凡', ' 胡炜哲 '], conclusions: '总体平稳', nextSteps: '补短板', suggestions: '加强调度' };
const recipients: NotificationRecipient[] = [
  { kind: 'unit', unitId: 'fgw', name: '县发改委' },
  { kind: 'unit', unitId: 'czj', name: '县财政局' },
  { kind: 'unit', unitId: 'sthjj', name: '县生态环境局' },
  { kind: 'leader', name: '文晓凡', title: '县委副书记、县长' },
];

const office = (o = {}) => meta(['office'], { userId: 'office-1', now: '2023-10-13T02:00:00.000Z', ...o });
const cmd = (type: AssessmentCommand['type'], data: object, m = office()) => ({ type, data: { ...ref, ...data }, meta: m }) as AssessmentCommand;

const ev = {
  prepared: (s = snapshot()): AssessmentEvent => ({ type: 'QuarterPrepared', data: { ...ref, snapshot: s } }),
  meeting: (asOf = '000100'): AssessmentEvent => ({ type: 'MeetingRecorded', data: { ...ref, ...meeting, attendees: ['文晓凡', '胡炜哲'], snapshotAsOfPosition: asOf } }),
};

describe('quarterly assessment decider', () => {
  describe('prepare', () => {
    it('given nothing, when the office prepares the quarter, then the snapshot is recorded', () => {
      expect(given(assessmentDecider).when(cmd('assessment.Prepare', { snapshot: snapshot() }))).toEqual([ev.prepared()]);
    });
    it('may be repeated before the meeting, each preparation recorded', () => {
      expect(given(assessmentDecider, [ev.prepared()]).when(cmd('assessment.Prepare', { snapshot: snapshot('000200') }))).toEqual([ev.prepared(snapshot('000200'))]);
    });
    it('once the meeting heard the figures, preparing again needs a reason', () => {
      const g = given(assessmentDecider, [ev.prepared(), ev.meeting()]);
      expect(() => g.when(cmd('assessment.Prepare', { snapshot: snapshot('000200') }))).toThrow(expect.objectContaining({ code: 'reason-required' }));
      expect(g.when(cmd('assessment.Prepare', { snapshot: snapshot('000200') }, office({ reason: '会后市统计局更正数据' })))).toHaveLength(1);
    });
    it('a snapshot of another quarter is refused', () => {
      expect(() => given(assessmentDecider).when(cmd('assessment.Prepare', { snapshot: { ...snapshot(), quarter: '2023-Q2' } }))).toThrow(
        expect.objectContaining({ code: 'snapshot-mismatch' }),
      );
    });
    it('only the office prepares', () => {
      expect(() => given(assessmentDecider).when(cmd('assessment.Prepare', { snapshot: snapshot() }, meta(['supervisor'])))).toThrow(ForbiddenError);
      expect(() => given(assessmentDecider).when(cmd('assessment.Prepare', { snapshot: snapshot() }, meta(['head'], { unitId: 'fgw' })))).toThrow(ForbiddenError);
    });
  });

  describe('record the meeting', () => {
    it('given prepared figures, when the office records the meeting, then it is recorded with the snapshot it heard, attendees trimmed', () => {
      expect(given(assessmentDecider, [ev.prepared()]).when(cmd('assessment.RecordMeeting', meeting))).toEqual([ev.meeting()]);
    });
    it('before any figures are prepared it is refused', () => {
      expect(() => given(assessmentDecider).when(cmd('assessment.RecordMeeting', meeting))).toThrow(expect.objectContaining({ code: 'quarter-not-prepared' }));
    });
    it('an incomplete record is refused naming every field', () => {
      try {
        given(assessmentDecider, [ev.prepared()]).when(cmd('assessment.RecordMeeting', { ...meeting, date: '2023-02-30', attendees: [' '], conclusions: '', nextSteps: ' ' }));
        throw new Error('not refused');
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).details.fields!.map((f) => f.field)).toEqual(['date', 'attendees', 'conclusions', 'nextSteps']);
      }
    });
    it('a meeting before the quarter began, or in the future, is refused', () => {
      const g = given(assessmentDecider, [ev.prepared()]);
      expect(() => g.when(cmd('assessment.RecordMeeting', { ...meeting, date: '2023-06-30' }))).toThrow(/before the quarter began/);
      expect(() => g.when(cmd('assessment.RecordMeeting', { ...meeting, date: '2023-10-20' }))).toThrow(/after it was held/);
    });
    it('recording it again is an amendment and needs a reason', () => {
      const g = given(assessmentDecider, [ev.prepared(), ev.meeting()]);
      expect(() => g.when(cmd('assessment.RecordMeeting', meeting))).toThrow(expect.objectContaining({ code: 'reason-required' }));
      expect(g.when(cmd('assessment.RecordMeeting', { ...meeting, suggestions: '另议' }, office({ reason: '补记建议' })))[0]).toMatchObject({ data: { suggestions: '另议' } });
    });
  });

  describe('publish', () => {
    const ready = () => [ev.prepared(), ev.meeting()];
    it('given prepared figures and the meeting, when published, then the prepared snapshot is frozen and every unit and leader is notified with their rows', () => {
      const events = given(assessmentDecider, ready()).when(cmd('assessment.Publish', { recipients }));
      expect(events[0]).toEqual({ type: 'QuarterPublished', data: { ...ref, snapshot: snapshot(), notified: ['unit:fgw', 'unit:czj', 'unit:sthjj', 'leader:文晓凡'] } });
      expect(events.slice(1).map((e) => e.type)).toEqual(Array(4).fill('QuarterNotificationSent'));
      const rowsOf = (recipient: string) =>
        (events.find((e) => e.type === 'QuarterNotificationSent' && e.data.recipient === recipient)!.data as { rows: { indicatorNo: number }[] }).rows.map((r) => r.indicatorNo);
      expect(rowsOf('unit:fgw')).toEqual([1, 15]);
      expect(rowsOf('unit:czj')).toEqual([15]);
      expect(rowsOf('unit:sthjj')).toEqual([28]);
      // Changed by issue 12 (it was the red rows only): "县委县政府督查局要及时对各责任单位指标完成情况开展督查，
      // 特别要紧盯红色预警单位工作开展情况" — each leader named in the plan file gets every row.
      expect(rowsOf('leader:文晓凡')).toEqual([1, 15, 28]);
    });
    it('the snapshot published is the prepared one, not a fresh computation', () => {
      const events = given(assessmentDecider, [ev.prepared(snapshot('000050')), ev.meeting('000050')]).when(cmd('assessment.Publish', { recipients }));
      expect((events[0]!.data as { snapshot: QuarterSnapshot }).snapshot.asOfPosition).toBe('000050');
    });
    it('requires prepared figures', () => {
      expect(() => given(assessmentDecider).when(cmd('assessment.Publish', { recipients }))).toThrow(expect.objectContaining({ code: 'quarter-not-prepared' }));
    });
    it('requires the recorded meeting', () => {
      expect(() => given(assessmentDecider, [ev.prepared()]).when(cmd('assessment.Publish', { recipients }))).toThrow(expect.objectContaining({ code: 'meeting-not-recorded' }));
    });
    it('requires the meeting to have heard the latest preparation', () => {
      const g = given(assessmentDecider, [...ready(), ev.prepared(snapshot('000300'))]);
      expect(() => g.when(cmd('assessment.Publish', { recipients }))).toThrow(expect.objectContaining({ code: 'meeting-before-latest-preparation' }));
      const again = given(assessmentDecider, [...ready(), ev.prepared(snapshot('000300')), ev.meeting('000300')]);
      expect((again.when(cmd('assessment.Publish', { recipients }))[0]!.data as { snapshot: QuarterSnapshot }).snapshot.asOfPosition).toBe('000300');
    });
    it('needs recipients', () => {
      expect(() => given(assessmentDecider, ready()).when(cmd('assessment.Publish', { recipients: [] }))).toThrow(expect.objectContaining({ code: 'no-recipients' }));
    });
    it('only the office publishes', () => {
      expect(() => given(assessmentDecider, ready()).when(cmd('assessment.Publish', { recipients }, meta(['leader'])))).toThrow(ForbiddenError);
    });
  });

  describe('frozen once published', () => {
    const published = (): AssessmentEvent[] => [
      ev.prepared(),
      ev.meeting(),
      ...given(assessmentDecider, [ev.prepared(), ev.meeting()]).when(cmd('assessment.Publish', { recipients })),
    ];
    it.each([
      ['assessment.Prepare', { snapshot: snapshot('000900') }],
      ['assessment.RecordMeeting', meeting],
      ['assessment.Publish', { recipients }],
    ] as const)('%s is refused', (type, data) => {
      expect(() => given(assessmentDecider, published()).when(cmd(type, data, office({ reason: 'late correction' })))).toThrow(
        expect.objectContaining({ code: 'quarter-published' }),
      );
    });
    it('the state keeps what was published', () => {
      expect(given(assessmentDecider, published()).state).toMatchObject({ status: 'published', published: { snapshot: { asOfPosition: '000100' } } });
    });
  });
});
