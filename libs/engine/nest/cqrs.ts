import { createParamDecorator, type DynamicModule, type ExecutionContext, type Type } from '@nestjs/common';
import { Command as BusMessage, Query } from '@nestjs/cqrs';
import type { Request } from 'express';
import type { Command } from '../commands/command.js';
import type { CommandResult, ExecuteOptions } from '../commands/command-executor.js';
import { parseAsOf, type AsOf } from '../projections/as-of.js';
import type { Projection } from '../projections/docs.js';
import type { Reactor } from '../reactors/reactor.js';
import type { Upcasters } from '../event-store/envelope.js';

/**
 * A command on @nestjs/cqrs's CommandBus: the engine's command (type, data, audit envelope) and how
 * to execute it. Each workflow declares a one-line subclass, which its @CommandHandler takes:
 * `export class ReportingCommand extends WorkflowCommand<ReportingRequest> {}`. The bus routes by
 * class; commands stored as data (timers) and sent by reactors are routed by their type string
 * through the engine's registry, built from the workflows' declarations.
 */
export class WorkflowCommand<C extends Command = Command> extends BusMessage<CommandResult> {
  constructor(
    readonly command: C,
    readonly options: ExecuteOptions = {},
  ) {
    super();
  }
}

/** A command class of a workflow (what `commands.message` declares). */
// The engine builds these from commands stored as data, whose type string it has checked against `types`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WorkflowCommandClass = new (command: any, options?: ExecuteOptions) => WorkflowCommand;

/**
 * Where a read is answered from, the same for every query: as known at a moment (transaction time,
 * re-derived from the events) or now, once the projection has applied `minPosition` (read your
 * writes). Controllers take it from the query string with @ReadAt(); query handlers pass it to
 * `engine.docs()`.
 */
export interface ReadAt {
  asOf?: AsOf;
  minPosition?: string;
}

/** A query on the QueryBus, answered from a projection at a `ReadAt`. */
export abstract class ProjectionQuery<R> extends Query<R> {
  constructor(readonly at: ReadAt = {}) {
    super();
  }
}

/** `?asOf=` (ISO time), `?asOfPosition=` and `?minPosition=` from the query string, checked. */
export function readAtOf(req: Pick<Request, 'query'>): ReadAt {
  const q = req.query as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const asOf = parseAsOf(text(q.asOf), text(q.asOfPosition));
  const minPosition = text(q.minPosition);
  return { ...(asOf ? { asOf } : {}), ...(minPosition ? { minPosition } : {}) };
}

export const ReadAtParam = createParamDecorator((_: unknown, ctx: ExecutionContext) => readAtOf(ctx.switchToHttp().getRequest<Request>()));

/**
 * A workflow as the application sees it, declared in one place (its `*.workflow.ts`): its Nest
 * module (command handler, query handlers, services), its HTTP controllers (the API mounts them;
 * the worker does not), which command types its command class carries, its projections and its
 * reactors. Nothing registers itself from a constructor: the engine reads these declarations.
 */
export interface WorkflowDefinition {
  name: string;
  module: Type<unknown> | DynamicModule;
  controllers?: Type<unknown>[];
  commands?: { types: readonly string[]; message: WorkflowCommandClass };
  projections?: readonly Projection[];
  reactors?: readonly Reactor[];
  /** Readers of the workflow's older event shapes, by event type (the store applies them on read; nothing stored is rewritten). */
  upcasters?: Upcasters;
}
