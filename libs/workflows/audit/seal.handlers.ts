import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { assertNever, type Command } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import type { Reactor } from '../../engine/reactors/reactor.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { authorize } from '../access/access.js';
import { SCHEDULED_SEAL } from './seal.decider.js';
import { scheduledSeal, sealNow } from './sealing.js';

/**
 * What is sent to seal: the seal timer's round, or a seal now (by a person, or by the quarter-seal
 * reactor, unless a seal already covers `unlessSealedAt`). The handler computes the seal from the
 * record and decides it with the seals stream's decider (sealing.ts).
 */
export type SealRequest = Command<typeof SCHEDULED_SEAL, { everyMs?: number }> | Command<'audit.SealNow', { occasion: string; unlessSealedAt?: string }>;

export const SEAL_COMMANDS = [SCHEDULED_SEAL, 'audit.SealNow'] as const satisfies readonly SealRequest['type'][];

/** The audit workflow's command on the bus. */
export class SealBusCommand extends WorkflowCommand<SealRequest> {}

@CommandHandler(SealBusCommand)
@Injectable()
export class SealHandler implements ICommandHandler<SealBusCommand, CommandResult> {
  constructor(private readonly engine: Engine) {}

  async execute({ command, options }: SealBusCommand): Promise<CommandResult> {
    switch (command.type) {
      case SCHEDULED_SEAL:
        return scheduledSeal(this.engine.store, command, options);
      case 'audit.SealNow':
        authorize(command.meta.actor, 'audit.seal');
        return sealNow(this.engine.store, command.meta.actor, command.meta.now, command.data.occasion, command.data.unlessSealedAt);
      default:
        return assertNever(command, 'seal command');
    }
  }
}

/** Seals a quarter when it is published: the record as presented at the meeting, fixed for good. */
export const quarterSealReactor: Reactor = {
  name: 'audit-quarter-seals',
  version: 1,
  eventTypes: ['QuarterPublished'],
  react(e, { now }) {
    const d = e.data as { planId: string; quarter: string };
    return [
      {
        kind: 'send',
        command: {
          type: 'audit.SealNow',
          data: { occasion: `quarter ${d.quarter} of ${d.planId} published`, unlessSealedAt: e.position },
          meta: { commandId: `quarter-seal-${e.id}`, actor: SYSTEM_PRINCIPAL, now, causationId: e.id, correlationId: e.metadata.correlationId },
        },
      },
    ];
  },
};
