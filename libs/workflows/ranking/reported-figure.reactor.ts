import type { Reactor, ReactorOutput } from '../../engine/reactors/reactor.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import type { FigureCorrected, ReportSubmitted, ReportReceived, ReportReturned } from '../reporting/reporting.events.js';
import type { RankingRequest } from './ranking.handlers.js';
import { figuresStream } from './ranking.events.js';

/**
 * Our county's value in the six-county table comes from its received monthly report (unless the
 * city has published an official figure for us), so a received report, and the office's later
 * correction of a figure in it, must reach the ranking: otherwise the table shows 11.2 beside a
 * rank computed from 10.7. This reactor follows the reporting workflow's published events on its
 * own checkpoint: it remembers each report's submitted values (`reports`), and on ReportReceived
 * and FigureCorrected (field value) its outputs send ranking.ApplyReportedFigure to the figures
 * stream of the indicator and month, as the system, the correction with its reason and cause
 * "correction". Command ids are derived from the reporting event, so a redelivery is answered, not
 * repeated. Which unit's figure is ours (the first responsible unit) the ranking handler decides.
 */
export const REPORTED_FIGURE_REACTOR = 'ranking-reported-figure-reactor';

type Lines = { indicatorNo: number; value: number | null }[];

const reportKey = (d: { planId: string; unitId: string; period: string }) => `${d.planId}/${d.unitId}/${d.period}`;

export const reportedFigureReactor: Reactor = {
  name: REPORTED_FIGURE_REACTOR,
  version: 1,
  eventTypes: ['ReportSubmitted', 'ReportReturned', 'ReportReceived', 'FigureCorrected'],
  async react(e, { memory, now }): Promise<ReactorOutput[]> {
    const meta = (commandId: string, reason?: string) => ({
      commandId,
      causationId: e.id,
      correlationId: e.metadata.correlationId,
      actor: SYSTEM_PRINCIPAL,
      now,
      ...(reason ? { reason } : {}),
    });
    switch (e.type) {
      case 'ReportSubmitted': {
        const d = e.data as ReportSubmitted['data'];
        memory.put('reports', reportKey(d), { lines: d.lines.map((l) => ({ indicatorNo: l.indicatorNo, value: l.value })) });
        return [];
      }
      case 'ReportReturned': {
        // A returned report's figures are void until it is submitted again.
        const d = e.data as ReportReturned['data'];
        memory.put('reports', reportKey(d), { lines: [] });
        return [];
      }
      case 'ReportReceived': {
        const d = e.data as ReportReceived['data'];
        const lines = (await memory.get<{ lines: Lines }>('reports', reportKey(d)))?.lines ?? [];
        const sent = lines.filter((l) => l.value !== null);
        if (sent.length === 0) return [{ kind: 'ignore', reason: `${d.unitId} ${d.period}: the received report has no figure` }];
        return sent.map((l) => {
          const command: RankingRequest = {
            type: 'ranking.ApplyReportedFigure',
            data: { planId: d.planId, indicatorNo: l.indicatorNo, period: d.period, unitId: d.unitId, value: l.value, trigger: 'received' },
            meta: meta(`reported-figure-${e.id}-${figuresStream(d.planId, l.indicatorNo, d.period)}`, 'the report was received'),
          };
          return { kind: 'send', command };
        });
      }
      case 'FigureCorrected': {
        const d = e.data as FigureCorrected['data'];
        if (d.field !== 'value') {
          return [
            { kind: 'ignore', reason: `${d.unitId} ${d.period} no. ${d.indicatorNo}: a reported rank is the unit's reading; the six-county rank is computed from the figures` },
          ];
        }
        const command: RankingRequest = {
          type: 'ranking.ApplyReportedFigure',
          data: { planId: d.planId, indicatorNo: d.indicatorNo, period: d.period, unitId: d.unitId, value: d.corrected, trigger: 'correction' },
          meta: meta(`reported-figure-${e.id}`, d.reason),
        };
        return [{ kind: 'send', command }];
      }
      default:
        return [{ kind: 'ignore', reason: `not a reporting event this reactor answers: ${e.type}` }];
    }
  },
};
