import type { DomainEvent } from '../../engine/commands/command.js';

/**
 * Notices that reach people (issue 16). A notice answers one recorded event (a reminder, an
 * overdue report, a return, a published quarter, a case step, the approved decision): it names its
 * source, its text in both languages, and whom it is for; it lands in their in-app inbox and goes
 * out on the channels they chose. Every delivery attempt and its outcome is an event in the
 * notice's stream, so "was the unit told?" is answered from the record.
 */
export const CHANNELS = ['email', 'dingtalk', 'wecom'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Text {
  zh: string;
  en: string;
}

export interface NoticeSource {
  eventId: string;
  type: string;
  streamId: string;
  position: string;
  recordedAt: string;
}

/** One send: an e-mail to one person, or one post to a group robot naming the people it is for. */
export interface Delivery {
  deliveryId: string;
  channel: Channel;
  /** E-mail: the address; group robots: the deployment's robot (no secret here). */
  to: string;
  /** Who it is for (userIds). */
  recipients: string[];
}

export type NoticeIssued = DomainEvent<
  'NoticeIssued',
  {
    noticeId: string;
    kind: string;
    source: NoticeSource;
    planId?: string;
    unitId?: string;
    title: Text;
    body: Text;
    /** Where in the UI the matter is, e.g. /unit?period=2023-06 */
    link?: string;
    recipients: { userId: string; name: string }[];
    deliveries: Delivery[];
  }
>;
export type NoticeRead = DomainEvent<'NoticeRead', { noticeId: string; userId: string }>;
export type NoticeDeliveryAttempted = DomainEvent<
  'NoticeDeliveryAttempted',
  {
    noticeId: string;
    deliveryId: string;
    channel: Channel;
    attempt: number;
    outcome: 'delivered' | 'failed';
    /** The receiver's answer: SMTP response, HTTP status and body (shortened). */
    detail: string;
    /** True on the last attempt the deployment allows: no more are made. */
    final: boolean;
  }
>;
export type NoticeChannelsChosen = DomainEvent<'NoticeChannelsChosen', { userId: string; channels: Channel[]; email: string | null }>;

export type NoticesEvent = NoticeIssued | NoticeRead | NoticeDeliveryAttempted | NoticeChannelsChosen;
export const NOTICES_EVENT_TYPES = ['NoticeIssued', 'NoticeRead', 'NoticeDeliveryAttempted', 'NoticeChannelsChosen'] as const;

export const noticeIdOf = (sourceEventId: string) => `n-${sourceEventId}`;
export const noticeStream = (noticeId: string) => `notice-${noticeId}`;
export const noticePrefsStream = (userId: string) => `notice-prefs-${userId}`;
