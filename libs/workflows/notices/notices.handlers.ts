import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { WorkflowCommand } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { PlanService } from '../plan/plan.service.js';
import { availableChannels, type ChannelsConfig } from './notices.channels.js';
import { noticesDecider, type IssueNotice, type NoticesCommand } from './notices.decider.js';
import { noticeIdOf, noticePrefsStream, noticeStream, type Delivery } from './notices.events.js';
import { messageOf, type Names } from './notices.messages.js';
import type { IssueRequest, Recipient } from './notices.reactor.js';
import { NOTICES_CHANNELS } from './notices.service.js';

export type NoticesRequest = Exclude<NoticesCommand, IssueNotice> | IssueRequest;
export class NoticesBusCommand extends WorkflowCommand<NoticesRequest> {}

/** Pure: the sends a notice needs, from its recipients' choices and the channels the deployment has. */
export function deliveriesFor(noticeId: string, recipients: readonly Recipient[], available: readonly string[]): Delivery[] {
  const out: Delivery[] = [];
  if (available.includes('email')) {
    for (const r of recipients)
      if (r.channels.includes('email') && r.email) out.push({ deliveryId: `${noticeId}.email.${r.userId}`, channel: 'email', to: r.email, recipients: [r.userId] });
  }
  for (const channel of ['dingtalk', 'wecom'] as const) {
    const who = recipients.filter((r) => r.channels.includes(channel)).map((r) => r.userId);
    if (available.includes(channel) && who.length)
      out.push({ deliveryId: `${noticeId}.${channel}`, channel, to: channel === 'dingtalk' ? 'DingTalk group robot' : 'WeCom group robot', recipients: who });
  }
  return out;
}

@CommandHandler(NoticesBusCommand)
@Injectable()
export class NoticesHandler implements ICommandHandler<NoticesBusCommand, CommandResult> {
  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
    @Inject(NOTICES_CHANNELS) private readonly channels: ChannelsConfig,
  ) {}

  async execute({ command, options }: NoticesBusCommand): Promise<CommandResult> {
    switch (command.type) {
      case 'notices.Issue': {
        const { source, event, recipients } = command.data;
        const noticeId = noticeIdOf(source.eventId);
        const message = messageOf(source.type, event, await this.names(String(event.planId ?? '')));
        if (!message) throw new Error(`${source.type} warrants no notice`);
        const issue: IssueNotice = {
          type: 'notices.Issue',
          meta: command.meta,
          data: {
            noticeId,
            kind: message.kind,
            source,
            planId: message.planId,
            ...(message.unitId ? { unitId: message.unitId } : {}),
            title: message.title,
            body: message.body,
            ...(message.link ? { link: message.link } : {}),
            recipients: recipients.map((r) => ({ userId: r.userId, name: r.name })),
            deliveries: deliveriesFor(noticeId, recipients, availableChannels(this.channels)),
          },
        };
        return this.engine.decide(noticesDecider, noticeStream(noticeId), issue, options);
      }
      case 'notices.ChooseChannels':
        return this.engine.decide(noticesDecider, noticePrefsStream(command.data.userId), command, options);
      default:
        return this.engine.decide(noticesDecider, noticeStream(command.data.noticeId), command, options);
    }
  }

  /** The plan's unit and indicator names; the ids where the plan is not at hand. */
  async names(planId: string): Promise<Names> {
    try {
      const plan = await this.plans.get(planId);
      return {
        unit: (id) => plan.units.find((u) => u.id === id)?.name ?? id,
        indicator: (no) => plan.indicators.find((i) => i.no === no)?.name ?? String(no),
      };
    } catch {
      return { unit: (id) => id, indicator: (no) => String(no) };
    }
  }
}
