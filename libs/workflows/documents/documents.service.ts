import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { DomainError, type Command, type Principal } from '../../engine/commands/command.js';
import type { CommandResult, ExecuteOptions } from '../../engine/commands/command-executor.js';
import type { ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { authorize } from '../access/access.js';
import { GetPublishedQuarter, GetQuarter } from '../assessment/assessment.queries.js';
import { makeSeal } from '../audit/sealing.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlanFile, type DocumentKind, type DocumentsConfig, type DocumentSeries, type PlanDefinition } from '../plan/plan-file.js';
import { BUILTIN_PLANS_DIR } from '../plan/plans-dir.js';
import { PlanService } from '../plan/plan.service.js';
import { GetReport } from '../reporting/reports.queries.js';
import { GetDecisions, GetProposal } from '../rewards/review.queries.js';
import { GetCase } from '../supervision/supervision.queries.js';
import { localDate, monthlyReport, quarterlyNotice, rewardDecision, rewardProposal, supervisionNotice, talkNotice, type Letterhead } from './document-content.js';
import { documentsDecider, ISSUE_COMMANDS, nextSerial, permissionFor, type DocumentsCommand, type IssueCommandType, type IssueFacts } from './documents.decider.js';
import {
  documentIdOf,
  documentNumber,
  documentsStream,
  type CitedSeal,
  type DocumentContent,
  type DocumentIssued,
  type DocumentSubject,
  type SeriesRef,
} from './documents.events.js';
import { renderDocument, sha256Hex } from './pdf-render.js';

/** What callers send: the plan and what the document is about (the kind follows from the command). */
export type IssueRequest = Command<IssueCommandType, { planId: string; subject: DocumentSubject; at?: ReadAt }>;

export { localDate };

/**
 * A plan published before documents existed (issue 16) carries no series, and a published plan is
 * never published again: the shipped plan file of the same id names them.
 */
export function documentsConfigOf(plan: PlanDefinition): DocumentsConfig | undefined {
  if (plan.documents) return plan.documents;
  const file = join(BUILTIN_PLANS_DIR, `${plan.id}.yaml`);
  if (!/^[a-z][a-z0-9-]*$/.test(plan.id) || !existsSync(file)) return undefined;
  return parsePlanFile(readFileSync(file, 'utf8'), `${plan.id}.yaml`).documents;
}

export function seriesFor(plan: PlanDefinition, kind: DocumentKind): DocumentSeries {
  const series = documentsConfigOf(plan)?.series.find((s) => s.kinds.includes(kind));
  if (!series) {
    throw new DomainError('no-document-series', `plan ${plan.id} names no issuing body for ${kind} (documents.series in the plan file)`, { status: 422, kind });
  }
  return series;
}

/**
 * Issuing a document: authorise, gather the content from the projections, seal the record, take the
 * series' next number, render, hash, and let the decider record it — rendering again with the next
 * number when another document took this one meanwhile.
 */
@Injectable()
export class DocumentsService {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
    private readonly queries: QueryBus,
  ) {}

  async issue(command: IssueRequest, options?: ExecuteOptions): Promise<CommandResult> {
    const kind = ISSUE_COMMANDS[command.type];
    // Decided before anything is read or answered.
    authorize(command.meta.actor, permissionFor(kind));
    const { planId, subject } = command.data;
    if (subject?.kind !== kind)
      throw new DomainError('document-kind-mismatch', `${command.type} issues a ${kind}`, { status: 422, fields: [{ field: 'subject.kind', message: kind }] });
    const plan = await this.plans.get(planId);
    const series = seriesFor(plan, kind);
    const date = localDate(command.meta.now, plan.monthlyReport.timeZone);
    const year = Number(date.slice(0, 4));
    const yearCfg = series.years.find((y) => y.year === year);
    if (!yearCfg) {
      throw new DomainError(
        'document-year-not-configured',
        `series ${series.id} (${series.prefix}) has no numbering for ${year}: add the year to documents.series in the plan file`,
        { params: { prefix: series.prefix }, status: 422, year },
      );
    }
    const ref: SeriesRef = { planId, seriesId: series.id, year };
    const streamId = documentsStream(ref);
    const earlier = await this.#retried(streamId, command);
    if (earlier) return earlier;

    const head: Letterhead = { header: series.header, issuer: series.issuer, printedBy: series.printedBy ?? documentsConfigOf(plan)?.printedBy ?? series.issuer, date };
    const content = await this.#content(plan, head, command.meta.actor, subject, command.data.at ?? {});
    const sealed = await makeSeal(this.engine.store, SYSTEM_PRINCIPAL, command.meta.now, `${kind} issued by ${command.meta.actor.userId}`);
    if (!sealed) throw new DomainError('nothing-to-seal', 'the record is empty: nothing to issue a document on');
    const seal: CitedSeal = { sealId: sealed.sealId, root: sealed.root, position: sealed.position, sealedAt: sealed.sealedAt };

    for (let attempt = 0; ; attempt++) {
      const state = (await this.engine.store.readStream(streamId)).reduce(
        (s, e) => documentsDecider.evolve(s, { type: e.type, data: e.data } as DocumentIssued),
        documentsDecider.initialState(),
      );
      const serial = nextSerial(state, yearCfg.first ?? 1);
      const number = documentNumber(series.prefix, year, serial);
      const pdf = await renderDocument({ number, content, seal, issuedAt: command.meta.now, documentId: documentIdOf(ref, serial) });
      const issue: IssueFacts = { ...ref, subject, prefix: series.prefix, first: yearCfg.first ?? 1, serial, content, seal, sha256: sha256Hex(pdf), bytes: pdf.length };
      const decided: DocumentsCommand = { type: command.type, data: { issue }, meta: command.meta };
      try {
        return await this.engine.decide(documentsDecider, streamId, decided, options);
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'document-number-taken') || attempt >= 4) throw err;
      }
    }
  }

  /** A retry of an issue already recorded (same Idempotency-Key, same person) gets the first answer, not a second number. */
  async #retried(streamId: string, command: IssueRequest): Promise<CommandResult | undefined> {
    const events = await this.engine.store.readStream(streamId);
    const first = events.find((e) => e.metadata.commandId === command.meta.commandId && e.metadata.actor.userId === command.meta.actor.userId);
    if (!first) return undefined;
    return { streamId, revision: events.at(-1)!.revision, position: first.position, events: [{ type: first.type, data: first.data }], replayed: true };
  }

  async #content(plan: PlanDefinition, head: Letterhead, reader: Principal, subject: DocumentSubject, at: ReadAt): Promise<DocumentContent> {
    switch (subject.kind) {
      case 'quarterly-notice': {
        const view = await this.queries.execute(new GetQuarter(plan.id, subject.quarter, at));
        if (!view.published)
          throw new DomainError('quarter-not-published', `${subject.quarter} is not published: the notice reports what the meeting heard`, {
            params: { quarter: subject.quarter },
            status: 409,
          });
        const previous = await this.#previousQuarter(plan.id, subject.quarter, at);
        return quarterlyNotice(plan, head, view, previous);
      }
      case 'supervision-notice':
      case 'talk-notice': {
        const c = await this.queries.execute(new GetCase(reader, { planId: plan.id, unitId: subject.unitId, indicatorNo: subject.indicatorNo, caseNo: subject.caseNo }, at));
        return subject.kind === 'supervision-notice' ? supervisionNotice(plan, head, c) : talkNotice(plan, head, c);
      }
      case 'reward-proposal': {
        const p = await this.queries.execute(new GetProposal(reader, { planId: plan.id, year: subject.year }, at));
        if (p.status === 'draft')
          throw new DomainError('proposal-not-submitted', `the ${subject.year} proposal is a draft: it is sent to the county government once submitted`, {
            params: { year: subject.year, status: 'draft' },
            status: 409,
          });
        return rewardProposal(plan, head, p);
      }
      case 'reward-decision': {
        const decisions = await this.queries.execute(new GetDecisions(reader, { planId: plan.id, year: subject.year }, at));
        // The tiers as the approved proposal carried them, not as the plan says today.
        const proposal = await this.queries.execute(new GetProposal(reader, { planId: plan.id, year: subject.year }, at));
        return rewardDecision(plan, head, decisions, proposal.tiers);
      }
      case 'monthly-report': {
        const r = await this.queries.execute(new GetReport(reader, { planId: plan.id, unitId: subject.unitId, period: subject.period }, at));
        if (!r.submitted)
          throw new DomainError('report-not-submitted', `the ${subject.period} report of ${r.unitName} has not been submitted`, {
            params: { period: subject.period, unitName: r.unitName },
            status: 409,
          });
        return monthlyReport(plan, head, r);
      }
    }
  }

  async #previousQuarter(planId: string, quarter: string, at: ReadAt) {
    const [y, n] = quarter.split('-Q').map(Number);
    if (!y || !n || n <= 1) return null;
    try {
      return (await this.queries.execute(new GetPublishedQuarter(planId, `${y}-Q${n - 1}`, at))).snapshot;
    } catch {
      return null; // the previous quarter was not published: nothing to compare with
    }
  }
}
