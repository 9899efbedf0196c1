import type { Command, CommandMeta, Decider, DomainEvent, Principal } from '../commands/command.js';
import { deepFreeze } from '../deep-freeze.js';

/**
 * Given/when/then on a pure decider: given past events, when a command arrives, then these events
 * (or this error). No I/O, no clock: time and actor are in the command.
 */
export function given<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>, events: readonly E[] = []) {
  const state = events.reduce((s, e) => deepFreeze(decider.evolve(deepFreeze(s), deepFreeze(structuredClone(e)))), deepFreeze(decider.initialState()));
  return {
    state,
    /** Authorizes, then decides. */
    when(command: C): E[] {
      decider.authorize(command, state);
      return decider.decide(command, state);
    },
    /** The role the command would be recorded under. */
    role(command: C): string {
      return decider.authorize(command, state);
    },
  };
}

let seq = 0;
/** Command metadata for tests: a principal with these roles (and unit), at a fixed time. */
export function meta(roles: string[], options: Partial<CommandMeta> & { unitId?: string; userId?: string; name?: string } = {}): CommandMeta {
  const { unitId, userId, name, ...rest } = options;
  const actor: Principal = {
    userId: userId ?? `${roles.join('+') || 'nobody'}${unitId ? `@${unitId}` : ''}`,
    roles,
    ...(unitId ? { unitId } : {}),
    ...(name ? { name } : {}),
  };
  return { commandId: `cmd-${++seq}`, actor, now: '2023-07-03T09:00:00.000Z', ...rest };
}
