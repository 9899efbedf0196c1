import { assertNever, DomainError, type Command, type Decider } from '../../engine/commands/command.js';
import { authorize, type PermissionName } from '../access/access.js';
import type { DocumentKind } from '../plan/plan-file.js';
import {
  documentIdOf,
  documentNumber,
  subjectKey,
  type CitedSeal,
  type DocumentContent,
  type DocumentIssued,
  type DocumentsEvent,
  type DocumentSubject,
  type SeriesRef,
} from './documents.events.js';

/** One command per document, as the office and the bureau name them. */
export const ISSUE_COMMANDS = {
  'documents.IssueQuarterlyNotice': 'quarterly-notice',
  'documents.IssueSupervisionNotice': 'supervision-notice',
  'documents.IssueTalkNotice': 'talk-notice',
  'documents.IssueRewardProposal': 'reward-proposal',
  'documents.IssueRewardDecision': 'reward-decision',
  'documents.IssueMonthlyReport': 'monthly-report',
} as const satisfies Record<string, DocumentKind>;
export type IssueCommandType = keyof typeof ISSUE_COMMANDS;
export const DOCUMENTS_COMMANDS = Object.keys(ISSUE_COMMANDS) as IssueCommandType[];
export const commandOfKind = (kind: DocumentKind) => DOCUMENTS_COMMANDS.find((t) => ISSUE_COMMANDS[t] === kind)!;

/** The bureau issues what concerns a supervision case; the office every other notice and list. */
export function permissionFor(kind: DocumentKind): PermissionName {
  return kind === 'supervision-notice' || kind === 'talk-notice' ? 'documents.issueSupervision' : 'documents.issue';
}

/**
 * What the handler gathered and rendered: the series (from the plan), the content (from the
 * projections), the seal of the moment, the number it rendered with and the bytes' hash. The
 * decision checks the number is the series' next — never one given before, never a gap.
 */
export interface IssueFacts extends SeriesRef {
  subject: DocumentSubject;
  prefix: string;
  /** The series' first number in this year (the plan's years[].first, 1 by default). */
  first: number;
  serial: number;
  content: DocumentContent;
  seal: CitedSeal;
  sha256: string;
  bytes: number;
}

export type DocumentsCommand = Command<IssueCommandType, { issue: IssueFacts }>;

export interface SeriesState {
  /** The last number given in this series and year; 0 before the first. */
  last: number;
  numbers: string[];
  /** The latest document of each subject (subjectKey → documentId). */
  latest: Record<string, string>;
}

/** The number the next document of a series gets: after the last, and never below the configured first. */
export const nextSerial = (s: SeriesState, first: number) => Math.max(s.last + 1, first);

export const documentsDecider: Decider<DocumentsCommand, DocumentsEvent, SeriesState> = {
  initialState: () => ({ last: 0, numbers: [], latest: {} }),

  evolve(s, e) {
    switch (e.type) {
      case 'DocumentIssued':
        return {
          last: Math.max(s.last, e.data.serial),
          numbers: [...s.numbers, e.data.number],
          latest: { ...s.latest, [subjectKey(e.data.subject)]: e.data.documentId },
        };
      default:
        return assertNever(e.type, 'documents event');
    }
  },

  authorize: (c) => authorize(c.meta.actor, permissionFor(ISSUE_COMMANDS[c.type])),

  decide(c, s) {
    const f = c.data.issue;
    const kind = ISSUE_COMMANDS[c.type];
    if (f.subject.kind !== kind) throw new DomainError('document-kind-mismatch', `${c.type} issues a ${kind}, not a ${f.subject.kind}`, { status: 422 });
    const number = documentNumber(f.prefix, f.year, f.serial);
    const expected = nextSerial(s, f.first);
    if (f.serial !== expected || s.numbers.includes(number)) {
      // Another document took the number while this one was rendered: the handler renders again with the next.
      throw new DomainError('document-number-taken', `${number} is not the next number of the series (${documentNumber(f.prefix, f.year, expected)} is)`, {
        params: { number },
        expected,
      });
    }
    if (!/^[0-9a-f]{64}$/.test(f.sha256))
      throw new DomainError('invalid-value', 'sha256 must be 64 hex digits', { params: { field: 'sha256' }, status: 422, fields: [{ field: 'sha256', message: '64 hex digits' }] });
    const supersedes = s.latest[subjectKey(f.subject)] ?? null;
    // A second document on the same subject replaces the first in people's hands: say why.
    if (supersedes && !c.meta.reason?.trim()) {
      throw new DomainError('reason-required', `${supersedes} was issued on this already: a reason is required to issue another that supersedes it`, {
        status: 422,
        fields: [{ field: 'reason', message: 'required' }],
      });
    }
    const ref: SeriesRef = { planId: f.planId, seriesId: f.seriesId, year: f.year };
    const event: DocumentIssued = {
      type: 'DocumentIssued',
      data: {
        ...ref,
        documentId: documentIdOf(ref, f.serial),
        kind,
        subject: f.subject,
        serial: f.serial,
        number,
        content: f.content,
        seal: f.seal,
        sha256: f.sha256,
        bytes: f.bytes,
        issuedBy: { userId: c.meta.actor.userId, name: c.meta.actor.name ?? c.meta.actor.userId },
        issuedAt: c.meta.now,
        supersedes,
      },
    };
    return [event];
  },
};
