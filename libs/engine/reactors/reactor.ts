import type { Command } from '../commands/command.js';
import type { RecordedEvent } from '../event-store/event-store.js';
import type { DocWriter } from '../projections/docs.js';

/**
 * What a reactor does in answer to one event, said explicitly (emmett's workflow outputs): send a
 * command, or nothing with a named reason. The engine records every output and its outcome, so
 * "why did nothing happen?" has an answer. Timers are scheduled by deciders (their events), never
 * by a reactor, so they stay in the stream that owns them.
 */
export type ReactorOutput =
  { kind: 'send'; command: Command; /** Key under which the outcome is recorded (defaults to the command id). */ key?: string } | { kind: 'ignore'; reason: string; key?: string };

/** What the engine recorded for one output, kept in the reactor's own `outcomes` collection. */
export interface ReactorOutcome {
  eventId: string;
  eventType: string;
  position: string;
  kind: ReactorOutput['kind'];
  commandType?: string;
  commandId?: string;
  reason?: string;
  /** The command's answer: the first event it wrote, or a refusal by the rules. */
  result?: { outcome: 'done' | 'nothing-to-do' | 'refused'; firstEvent?: { type: string; data: unknown }; code?: string; message?: string };
}

/**
 * Code that answers events with commands. Reactors are fed in the global order by the durable
 * subscription with their own checkpoint, like projections, but they keep no view: their state
 * (`memory`) is only what they need to decide, and their outputs go through the command bus. Command
 * ids derived from the event make a redelivery (a crash before the checkpoint, a rebuild, a second
 * instance) answered, not repeated.
 */
export interface Reactor {
  /** Stable: it keys the checkpoint and the recorded outcomes. */
  name: string;
  version: number;
  eventTypes: readonly string[];
  react(event: RecordedEvent, context: ReactorContext): Promise<ReactorOutput[]> | ReactorOutput[];
}

export interface ReactorContext {
  /** The reactor's own memory (e.g. which streams exist), stored with its checkpoint. */
  memory: DocWriter;
  /** The time to stamp on the commands it sends (the injected clock). */
  now: string;
}
