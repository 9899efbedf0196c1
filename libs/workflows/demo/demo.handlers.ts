import { Injectable } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { DomainError } from '../../engine/commands/command.js';
import { ProjectionQuery, WorkflowCommand, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { demoDecider, type DemoCommand } from './demo.decider.js';
import { DEMO_STREAM } from './demo.events.js';
import { DemoService, type DemoStatus } from './demo.service.js';

/** The demo workflow's command on the bus (the record that a store holds the synthetic year). */
export class DemoBusCommand extends WorkflowCommand<DemoCommand> {}

/** Whether this store holds the synthetic demo year; 404 when it holds none. */
export class GetDemoStatus extends ProjectionQuery<DemoStatus> {
  constructor(at: ReadAt = {}) {
    super(at);
  }
}

@CommandHandler(DemoBusCommand)
@Injectable()
export class DemoHandler implements ICommandHandler<DemoBusCommand, CommandResult> {
  constructor(private readonly engine: Engine) {}

  execute({ command, options }: DemoBusCommand): Promise<CommandResult> {
    return this.engine.decide(demoDecider, DEMO_STREAM, command, options);
  }
}

@QueryHandler(GetDemoStatus)
@Injectable()
export class GetDemoStatusHandler implements IQueryHandler<GetDemoStatus, DemoStatus> {
  constructor(private readonly demo: DemoService) {}

  async execute({ at }: GetDemoStatus): Promise<DemoStatus> {
    const status = await this.demo.status(at.asOf);
    if (!status) throw new DomainError('no-demo', 'this store holds no demo data: its figures are real', { status: 404 });
    return status;
  }
}
