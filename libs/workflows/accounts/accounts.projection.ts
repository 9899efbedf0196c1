import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { Projection } from '../../engine/projections/docs.js';
import { USER_EVENT_TYPES, type UserEvent } from './accounts.events.js';

export const ACCOUNTS_PROJECTION = 'accounts';

/** users/<userId>: the account as it stands; the session guard reads roles from here on every request. */
export interface UserDoc {
  userId: string;
  username: string;
  name: string;
  unitId?: string;
  roles: string[];
  disabled: boolean;
  disabledReason?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  passwordSetAt?: string;
  passwordSetBy?: 'self' | 'admin' | 'cli';
  /** When the current one-time password signed in (it is spent); absent while unused, and once the user sets their own. */
  oneTimePasswordUsedAt?: string;
  /** The user stream's revision: the ETag for If-Match on the user's commands. */
  revision: number;
}

/** usernames/<username>: how a sign-in finds the user. */
export interface UsernameDoc {
  userId: string;
}

export const accountsProjection: Projection = {
  name: ACCOUNTS_PROJECTION,
  version: 1,
  eventTypes: USER_EVENT_TYPES,
  async apply(recorded: RecordedEvent, docs) {
    const e = { type: recorded.type, data: recorded.data } as UserEvent;
    const at = recorded.metadata.recordedAt;
    if (e.type === 'UserCreated') {
      const { userId, username, name, unitId } = e.data;
      const doc: UserDoc = {
        userId,
        username,
        name,
        ...(unitId ? { unitId } : {}),
        roles: [],
        disabled: false,
        createdAt: at,
        createdBy: recorded.metadata.actor.userId,
        updatedAt: at,
        revision: recorded.revision,
      };
      docs.put('users', userId, doc);
      docs.put('usernames', username, { userId } satisfies UsernameDoc);
      return;
    }
    const doc = await docs.get<UserDoc>('users', e.data.userId);
    if (!doc) return;
    doc.updatedAt = at;
    doc.revision = recorded.revision;
    switch (e.type) {
      case 'RoleGranted':
        if (!doc.roles.includes(e.data.role)) doc.roles.push(e.data.role);
        if (doc.unitId === undefined && e.data.unitId) doc.unitId = e.data.unitId;
        break;
      case 'RoleRevoked':
        doc.roles = doc.roles.filter((r) => r !== e.data.role);
        break;
      case 'UserDisabled':
        doc.disabled = true;
        doc.disabledReason = e.data.reason;
        break;
      case 'UserEnabled':
        doc.disabled = false;
        delete doc.disabledReason;
        break;
      case 'PasswordSet':
        doc.passwordSetAt = at;
        doc.passwordSetBy = e.data.by;
        delete doc.oneTimePasswordUsedAt;
        break;
      case 'OneTimePasswordUsed':
        doc.oneTimePasswordUsedAt = at;
        break;
    }
    docs.put('users', doc.userId, doc);
  },
};
