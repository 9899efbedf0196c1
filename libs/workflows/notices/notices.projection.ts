import type { Projection } from '../../engine/projections/docs.js';
import type { Channel, Delivery, NoticeIssued, NoticesEvent, Text } from './notices.events.js';

export const NOTICES_PROJECTION = 'notices';

/** One notice in a person's inbox. */
export interface InboxItem {
  noticeId: string;
  kind: string;
  title: Text;
  body: Text;
  link?: string;
  sourceType: string;
  issuedAt: string;
  readAt: string | null;
}

export interface Attempt {
  attempt: number;
  outcome: 'delivered' | 'failed';
  detail: string;
  at: string;
  final: boolean;
}

/** A notice with every delivery and its attempts: "was the unit told?" */
export interface NoticeView {
  noticeId: string;
  kind: string;
  planId?: string;
  unitId?: string;
  title: Text;
  source: NoticeIssued['data']['source'];
  issuedAt: string;
  recipients: { userId: string; name: string; readAt: string | null }[];
  deliveries: (Delivery & { status: 'pending' | 'delivered' | 'failed'; attempts: Attempt[] })[];
}

export interface PendingDelivery {
  noticeId: string;
  deliveryId: string;
}

export interface ChannelChoice {
  userId: string;
  channels: Channel[];
  email: string | null;
  chosenAt: string;
}

export const inboxKey = (userId: string, noticeId: string) => `${userId}/${noticeId}`;

export const noticesProjection: Projection = {
  name: NOTICES_PROJECTION,
  version: 1,
  eventTypes: ['NoticeIssued', 'NoticeRead', 'NoticeDeliveryAttempted', 'NoticeChannelsChosen'],
  async apply(e, docs) {
    const event = { type: e.type, data: e.data } as NoticesEvent;
    const at = e.metadata.recordedAt;
    switch (event.type) {
      case 'NoticeIssued': {
        const n = event.data;
        for (const r of n.recipients) {
          const item: InboxItem = {
            noticeId: n.noticeId,
            kind: n.kind,
            title: n.title,
            body: n.body,
            ...(n.link ? { link: n.link } : {}),
            sourceType: n.source.type,
            issuedAt: at,
            readAt: null,
          };
          docs.put('inbox', inboxKey(r.userId, n.noticeId), item);
        }
        const view: NoticeView = {
          noticeId: n.noticeId,
          kind: n.kind,
          ...(n.planId ? { planId: n.planId } : {}),
          ...(n.unitId ? { unitId: n.unitId } : {}),
          title: n.title,
          source: n.source,
          issuedAt: at,
          recipients: n.recipients.map((r) => ({ ...r, readAt: null })),
          deliveries: n.deliveries.map((d) => ({ ...d, status: 'pending', attempts: [] })),
        };
        docs.put('notices', n.noticeId, view);
        for (const d of n.deliveries) docs.put('pending', d.deliveryId, { noticeId: n.noticeId, deliveryId: d.deliveryId } satisfies PendingDelivery);
        return;
      }
      case 'NoticeRead': {
        const key = inboxKey(event.data.userId, event.data.noticeId);
        const item = await docs.get<InboxItem>('inbox', key);
        if (item) docs.put('inbox', key, { ...item, readAt: at });
        const view = await docs.get<NoticeView>('notices', event.data.noticeId);
        if (view) docs.put('notices', view.noticeId, { ...view, recipients: view.recipients.map((r) => (r.userId === event.data.userId ? { ...r, readAt: at } : r)) });
        return;
      }
      case 'NoticeDeliveryAttempted': {
        const a = event.data;
        const view = await docs.get<NoticeView>('notices', a.noticeId);
        if (view) {
          const deliveries = view.deliveries.map((d) =>
            d.deliveryId === a.deliveryId
              ? {
                  ...d,
                  status: a.outcome === 'delivered' ? ('delivered' as const) : a.final ? ('failed' as const) : ('pending' as const),
                  attempts: [...d.attempts, { attempt: a.attempt, outcome: a.outcome, detail: a.detail, at, final: a.final }],
                }
              : d,
          );
          docs.put('notices', a.noticeId, { ...view, deliveries });
        }
        if (a.final) docs.delete('pending', a.deliveryId);
        return;
      }
      case 'NoticeChannelsChosen':
        docs.put('channels', event.data.userId, { ...event.data, chosenAt: at } satisfies ChannelChoice);
        return;
    }
  },
};

export const TODO_PROJECTION = 'todo';

export interface ReportTodo {
  planId: string;
  unitId: string;
  period: string;
  status: 'open' | 'draft' | 'submitted' | 'signed' | 'received' | 'returned';
  dueAt: string | null;
  overdue: boolean;
}
export interface CaseTodo {
  planId: string;
  unitId: string;
  indicatorNo: number;
  caseNo: number;
  /** Whose turn: the unit (acknowledge, plan, feedback) or the bureau (review). */
  waitingFor: 'unit' | 'bureau' | null;
  step: string | null;
  dueAt: string | null;
}
export interface ReviewTodo {
  planId: string;
  year: number;
  status: 'draft' | 'submitted' | 'approved';
}

/**
 * What is waiting for whom, from the reporting, supervision and year-end events: the to-do counts
 * on the menu. Kept here (not read from those workflows' projections): workflows meet through
 * their published events.
 */
export const todoProjection: Projection = {
  name: TODO_PROJECTION,
  version: 1,
  eventTypes: [
    'ReportOpened',
    'ReportDraftSaved',
    'ReportSubmitted',
    'ReportSigned',
    'ReportReceived',
    'ReportReturned',
    'ReportOverdue',
    'CaseOpened',
    'CaseAcknowledged',
    'RectificationPlanSubmitted',
    'RectificationFeedbackSubmitted',
    'CaseReviewed',
    'CaseClosed',
    'ProposalGenerated',
    'ProposalSubmitted',
    'ProposalSentBack',
    'ProposalApproved',
  ],
  async apply(e, docs) {
    const d = e.data as Record<string, unknown> & { planId: string; unitId: string; period: string; indicatorNo: number; caseNo: number; year: number };
    if (e.type.startsWith('Report')) {
      const key = `${d.planId}/${d.unitId}/${d.period}`;
      const known = await docs.get<ReportTodo>('reports', key);
      const r: ReportTodo = known ?? { planId: d.planId, unitId: d.unitId, period: d.period, status: 'open', dueAt: null, overdue: false };
      const status: Record<string, ReportTodo['status']> = {
        ReportDraftSaved: 'draft',
        ReportSubmitted: 'submitted',
        ReportSigned: 'signed',
        ReportReceived: 'received',
        ReportReturned: 'returned',
      };
      if (e.type === 'ReportOpened') r.dueAt = String(d.dueAt);
      else if (e.type === 'ReportOverdue') r.overdue = true;
      else if (e.type === 'ReportDraftSaved' && r.status !== 'open' && r.status !== 'returned' && r.status !== 'draft') return;
      else r.status = status[e.type] ?? r.status;
      docs.put('reports', key, r);
      return;
    }
    if (e.type.startsWith('Case') || e.type.startsWith('Rectification')) {
      const key = `${d.planId}/${d.unitId}/${d.indicatorNo}/${d.caseNo}`;
      if (e.type === 'CaseClosed') {
        docs.delete('cases', key);
        return;
      }
      const next = d.next as { step: string; dueAt: string } | null | undefined;
      const c: CaseTodo = {
        planId: d.planId,
        unitId: d.unitId,
        indicatorNo: d.indicatorNo,
        caseNo: d.caseNo,
        waitingFor: next ? (next.step === 'review' ? 'bureau' : 'unit') : null,
        step: next?.step ?? null,
        dueAt: next?.dueAt ?? null,
      };
      docs.put('cases', key, c);
      return;
    }
    const key = `${d.planId}/${d.year}`;
    const status: ReviewTodo['status'] = e.type === 'ProposalSubmitted' ? 'submitted' : e.type === 'ProposalApproved' ? 'approved' : 'draft';
    docs.put('reviews', key, { planId: d.planId, year: d.year, status } satisfies ReviewTodo);
  },
};
