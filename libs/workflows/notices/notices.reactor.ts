import type { Command } from '../../engine/commands/command.js';
import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { DocWriter } from '../../engine/projections/docs.js';
import type { Reactor, ReactorOutput } from '../../engine/reactors/reactor.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import type { Channel, NoticeSource } from './notices.events.js';
import { messageOf, NOTICE_SOURCE_TYPES, type Audience } from './notices.messages.js';

export const NOTICES_REACTOR = 'notices-reactor';
const PEOPLE = 'people';

/** Whom the reactor knows, from the accounts' events and each person's channel choice (its own memory: it waits on no projection). */
export interface Person {
  userId: string;
  name: string;
  active: boolean;
  roles: { role: string; unitId?: string }[];
  channels: Channel[];
  email: string | null;
}

export interface Recipient {
  userId: string;
  name: string;
  channels: Channel[];
  email: string | null;
}

/** What the reactor sends: the source event and the people it is for; the handler words it with the plan's names and plans the deliveries. */
export type IssueRequest = Command<'notices.Issue', { source: NoticeSource; event: Record<string, unknown>; recipients: Recipient[] }>;

const PEOPLE_EVENTS = ['UserCreated', 'RoleGranted', 'RoleRevoked', 'UserDisabled', 'UserEnabled', 'NoticeChannelsChosen'] as const;

/** Pure: the people an audience names (active, holding the role, of the unit when one is named). */
export function recipientsOf(audience: readonly Audience[], people: readonly Person[]): Recipient[] {
  const out = people.filter((p) => p.active && audience.some((a) => p.roles.some((r) => r.role === a.role && (a.unitId === undefined || r.unitId === a.unitId))));
  return out.sort((a, b) => a.userId.localeCompare(b.userId)).map((p) => ({ userId: p.userId, name: p.name, channels: p.channels, email: p.email }));
}

async function remember(e: RecordedEvent, memory: DocWriter): Promise<void> {
  const d = e.data as { userId: string; name?: string; role?: string; unitId?: string; channels?: Channel[]; email?: string | null };
  const known = await memory.get<Person>(PEOPLE, d.userId);
  const person: Person = known ?? { userId: d.userId, name: d.name ?? d.userId, active: true, roles: [], channels: [], email: null };
  switch (e.type) {
    case 'UserCreated':
      person.name = d.name ?? person.name;
      break;
    case 'RoleGranted':
      person.roles = [...person.roles.filter((r) => !(r.role === d.role && r.unitId === d.unitId)), { role: d.role!, ...(d.unitId ? { unitId: d.unitId } : {}) }];
      break;
    case 'RoleRevoked':
      person.roles = person.roles.filter((r) => r.role !== d.role);
      break;
    case 'UserDisabled':
      person.active = false;
      break;
    case 'UserEnabled':
      person.active = true;
      break;
    case 'NoticeChannelsChosen':
      person.channels = d.channels ?? [];
      person.email = d.email ?? null;
      break;
  }
  memory.put(PEOPLE, d.userId, person);
}

/**
 * Answers the events people must hear of (reminders, overdue reports, returns, published quarters,
 * case steps and deadlines, the approved and published decisions) with one notice each. The command
 * id comes from the event, so a redelivered event is answered, not noticed twice.
 */
export const noticesReactor: Reactor = {
  name: NOTICES_REACTOR,
  version: 1,
  eventTypes: [...PEOPLE_EVENTS, ...NOTICE_SOURCE_TYPES],
  async react(e, { memory, now }): Promise<ReactorOutput[]> {
    if ((PEOPLE_EVENTS as readonly string[]).includes(e.type)) {
      await remember(e, memory);
      return [];
    }
    const data = e.data as Record<string, unknown>;
    const message = messageOf(e.type, data, { unit: (id) => id, indicator: (no) => String(no) });
    if (!message) return [{ kind: 'ignore', reason: `${e.type} warrants no notice` }];
    const people = (await memory.list<Person>(PEOPLE)).map((r) => r.doc);
    const command: IssueRequest = {
      type: 'notices.Issue',
      data: {
        source: { eventId: e.id, type: e.type, streamId: e.streamId, position: e.position, recordedAt: e.metadata.recordedAt },
        event: data,
        recipients: recipientsOf(message.audience, people),
      },
      meta: { commandId: `notice-${e.id}`, actor: SYSTEM_PRINCIPAL, now, causationId: e.id, correlationId: e.metadata.correlationId },
    };
    return [{ kind: 'send', command }];
  },
};
