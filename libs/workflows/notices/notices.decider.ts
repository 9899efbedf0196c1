import { assertNever, DomainError, ForbiddenError, type Command, type Decider } from '../../engine/commands/command.js';
import { hasRole, SYSTEM } from '../access/access.js';
import { CHANNELS, type Channel, type NoticeIssued, type NoticesEvent } from './notices.events.js';

export type IssueNotice = Command<'notices.Issue', NoticeIssued['data']>;
export type MarkNoticeRead = Command<'notices.MarkRead', { noticeId: string }>;
export type RecordDeliveryAttempt = Command<
  'notices.RecordAttempt',
  { noticeId: string; deliveryId: string; outcome: 'delivered' | 'failed'; detail: string; maxAttempts: number }
>;
export type ChooseChannels = Command<'notices.ChooseChannels', { userId: string; channels: Channel[]; email: string | null }>;
export type NoticesCommand = IssueNotice | MarkNoticeRead | RecordDeliveryAttempt | ChooseChannels;
export const NOTICES_COMMANDS = ['notices.Issue', 'notices.MarkRead', 'notices.RecordAttempt', 'notices.ChooseChannels'] as const;

/** A notice's stream (or a person's channel choice): what was issued, who read it, each delivery's attempts. */
export interface NoticesState {
  issued: NoticeIssued['data'] | null;
  readBy: string[];
  attempts: Record<string, { count: number; delivered: boolean; final: boolean }>;
  channels: { channels: Channel[]; email: string | null } | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const noticesDecider: Decider<NoticesCommand, NoticesEvent, NoticesState> = {
  initialState: () => ({ issued: null, readBy: [], attempts: {}, channels: null }),
  evolve(state, event) {
    switch (event.type) {
      case 'NoticeIssued':
        return { ...state, issued: event.data };
      case 'NoticeRead':
        return { ...state, readBy: [...state.readBy, event.data.userId] };
      case 'NoticeDeliveryAttempted': {
        const a = state.attempts[event.data.deliveryId] ?? { count: 0, delivered: false, final: false };
        return {
          ...state,
          attempts: {
            ...state.attempts,
            [event.data.deliveryId]: { count: a.count + 1, delivered: a.delivered || event.data.outcome === 'delivered', final: a.final || event.data.final },
          },
        };
      }
      case 'NoticeChannelsChosen':
        return { ...state, channels: { channels: event.data.channels, email: event.data.email } };
      default:
        return assertNever(event, 'event');
    }
  },
  authorize(command) {
    const actor = command.meta.actor;
    switch (command.type) {
      case 'notices.Issue':
      case 'notices.RecordAttempt':
        // Notices and their deliveries are the system's doing (the reactor, the delivery jobs).
        if (hasRole(actor, SYSTEM)) return SYSTEM;
        throw new ForbiddenError(`${actor.name ?? actor.userId} may not issue notices or record their delivery: the system does`);
      case 'notices.MarkRead':
      case 'notices.ChooseChannels': {
        // One's own inbox and one's own channels, in whatever role one holds.
        if (command.type === 'notices.ChooseChannels' && command.data.userId !== actor.userId) throw new ForbiddenError('each person chooses their own channels');
        const role = actor.roles[0];
        if (!role) throw new ForbiddenError(`${actor.userId} holds no role`);
        return role;
      }
      default:
        return assertNever(command, 'command');
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'notices.Issue':
        // One notice per source event: a redelivered event is answered, not issued again.
        return state.issued ? [] : [{ type: 'NoticeIssued', data: command.data }];
      case 'notices.MarkRead': {
        const userId = command.meta.actor.userId;
        if (!state.issued || !state.issued.recipients.some((r) => r.userId === userId)) {
          throw new DomainError('notice-unknown', `there is no notice ${command.data.noticeId} for ${userId}`, { status: 404 });
        }
        return state.readBy.includes(userId) ? [] : [{ type: 'NoticeRead', data: { noticeId: command.data.noticeId, userId } }];
      }
      case 'notices.RecordAttempt': {
        const { noticeId, deliveryId, outcome, detail, maxAttempts } = command.data;
        const delivery = state.issued?.deliveries.find((d) => d.deliveryId === deliveryId);
        if (!delivery) throw new DomainError('delivery-unknown', `notice ${noticeId} has no delivery ${deliveryId}`, { status: 404 });
        const a = state.attempts[deliveryId] ?? { count: 0, delivered: false, final: false };
        // Nothing after the outcome is settled: a late duplicate job records nothing.
        if (a.delivered || a.final) return [];
        const attempt = a.count + 1;
        return [
          {
            type: 'NoticeDeliveryAttempted',
            data: { noticeId, deliveryId, channel: delivery.channel, attempt, outcome, detail: detail.slice(0, 500), final: outcome === 'delivered' || attempt >= maxAttempts },
          },
        ];
      }
      case 'notices.ChooseChannels': {
        const { userId, email } = command.data;
        const channels = [...new Set(command.data.channels)];
        const unknown = channels.filter((c) => !(CHANNELS as readonly string[]).includes(c));
        if (unknown.length)
          throw new DomainError('channel-unknown', `unknown channel(s): ${unknown.join(', ')} (${CHANNELS.join(', ')})`, {
            params: { channels: unknown },
            status: 422,
            fields: [{ field: 'channels', message: 'unknown channel' }],
          });
        if (email !== null && !EMAIL.test(email))
          throw new DomainError('email-invalid', `"${email}" is not an e-mail address`, {
            params: { email },
            status: 422,
            fields: [{ field: 'email', message: 'not an e-mail address' }],
          });
        if (channels.includes('email') && !email)
          throw new DomainError('email-required', 'e-mail notices need an address', { status: 422, fields: [{ field: 'email', message: 'required for the email channel' }] });
        const same = state.channels && state.channels.email === email && state.channels.channels.join() === channels.join();
        return same ? [] : [{ type: 'NoticeChannelsChosen', data: { userId, channels, email } }];
      }
      default:
        return assertNever(command, 'command');
    }
  },
};
