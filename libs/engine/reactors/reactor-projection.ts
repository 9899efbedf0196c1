import { DomainError, ForbiddenError, type Command } from '../commands/command.js';
import type { CommandResult } from '../commands/command-executor.js';
import type { Projection } from '../projections/docs.js';
import type { Reactor, ReactorOutcome } from './reactor.js';

/** The collection where a reactor's outcomes are kept, keyed by the output's key. */
export const REACTOR_OUTCOMES = 'outcomes';

/**
 * Runs a reactor on the projection runner's durable subscription: its own checkpoint, committed
 * with its memory and the outcomes of what it did, in one transaction. A command the rules refuse
 * is recorded with its reason and not retried; any other failure leaves the checkpoint where it was,
 * so the runner delivers the event again (and derived command ids make the repeat harmless).
 */
export function reactorProjection(reactor: Reactor, send: (command: Command) => Promise<CommandResult>, now: () => string): Projection {
  return {
    name: reactor.name,
    version: reactor.version,
    eventTypes: reactor.eventTypes,
    async apply(e, docs) {
      for (const output of await reactor.react(e, { memory: docs, now: now() })) {
        const base = { eventId: e.id, eventType: e.type, position: e.position };
        let outcome: ReactorOutcome;
        if (output.kind === 'ignore') {
          outcome = { ...base, kind: 'ignore', reason: output.reason };
        } else {
          const c = output.command;
          outcome = { ...base, kind: 'send', commandType: c.type, commandId: c.meta.commandId };
          try {
            const r = await send(c);
            const first = r.events[0];
            outcome.result = first ? { outcome: 'done', firstEvent: { type: first.type, data: first.data } } : { outcome: 'nothing-to-do' };
          } catch (err) {
            if (!(err instanceof DomainError || err instanceof ForbiddenError)) throw err;
            outcome.result = { outcome: 'refused', code: err.code, message: err.message };
          }
        }
        docs.put(REACTOR_OUTCOMES, output.key ?? (output.kind === 'send' ? output.command.meta.commandId : `${e.id}/ignored`), outcome);
      }
    },
  };
}
