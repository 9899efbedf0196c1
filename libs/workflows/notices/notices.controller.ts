import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Req, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsArray, IsIn, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { Clock } from '../../engine/clock.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { ReadAtParam, type ReadAt } from '../../engine/nest/cqrs.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf, type AuthenticatedRequest } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { pageOf, type Page } from '../../engine/nest/http/paging.js';
import { CHANNELS, type Channel } from './notices.events.js';
import { NoticesBusCommand } from './notices.handlers.js';
import type { InboxItem, NoticeView } from './notices.projection.js';
import { GetChannels, GetInbox, GetNotices, GetTodo, type ChannelsView, type TodoView } from './notices.queries.js';

class ChannelsDto {
  @ApiProperty({ enum: CHANNELS, isArray: true, description: 'where notices reach you besides the in-app inbox (only the channels this deployment has are used)' })
  @IsArray()
  @IsIn(CHANNELS, { each: true })
  channels!: Channel[];
  @ApiPropertyOptional({ description: 'the address for e-mail notices; null to forget it', nullable: true, type: String })
  @ValidateIf((o) => o.email !== null && o.email !== undefined)
  @IsString()
  @MaxLength(254)
  email?: string | null;
}

/** A page of my inbox (issue 14's `{ items, next }`), with the counts of the whole inbox beside it. */
export type InboxPage = Page<InboxItem> & { unread: number; total: number };

@ApiTags('notices')
@Controller()
export class NoticesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('me/inbox')
  @ApiOperation({ summary: 'My in-app inbox: the notices addressed to me, newest first, one page at a time, with the unread and total counts' })
  @ApiQuery({ name: 'unread', required: false, description: 'true: unread ones only' })
  async inbox(
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('unread') unread?: string,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<InboxPage> {
    const view = await this.queries.execute(new GetInbox(principalOf(req), { unreadOnly: unread === 'true' }, at));
    // Issue 14: one list shape; the counts stay beside the page (they are of the whole inbox, not of the page).
    return { ...pageOf(view.items, (i) => i.noticeId, { after, limit }), unread: view.unread, total: view.total };
  }

  @Post('me/inbox/:noticeId/read')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Mark a notice of my inbox read (recorded)' })
  read(@Param('noticeId') noticeId: string, @Req() req: AuthenticatedRequest): Promise<CommandResult> {
    return this.commands.execute(new NoticesBusCommand({ type: 'notices.MarkRead', data: { noticeId }, meta: commandMeta(req, this.clock) }, executeOptions(req)));
  }

  @Get('me/todo')
  @ApiOperation({ summary: 'What waits for me: reports to draft, sign or receive, case steps due or to review, proposals to approve, unread notices' })
  todo(@Req() req: AuthenticatedRequest, @ReadAtParam() at: ReadAt): Promise<TodoView> {
    return this.queries.execute(new GetTodo(principalOf(req), at));
  }

  @Get('me/notice-channels')
  @ApiOperation({ summary: 'The channels this deployment sends notices on, and the ones I chose' })
  channels(@Req() req: AuthenticatedRequest, @ReadAtParam() at: ReadAt): Promise<ChannelsView> {
    return this.queries.execute(new GetChannels(principalOf(req), at));
  }

  @Put('me/notice-channels')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Choose where my notices go besides the inbox: email (with an address), dingtalk, wecom' })
  choose(@Body() body: ChannelsDto, @Req() req: AuthenticatedRequest): Promise<CommandResult> {
    const actor = principalOf(req);
    return this.commands.execute(
      new NoticesBusCommand(
        { type: 'notices.ChooseChannels', data: { userId: actor.userId, channels: body.channels, email: body.email ?? null }, meta: commandMeta(req, this.clock) },
        executeOptions(req),
      ),
    );
  }

  @Get('notices')
  @ApiOperation({ summary: '"Was the unit told?": notices with their recipients, who read them, and every delivery attempt and outcome' })
  @ApiQuery({ name: 'unitId', required: false })
  @ApiQuery({ name: 'kind', required: false })
  async list(
    @Req() req: AuthenticatedRequest,
    @ReadAtParam() at: ReadAt,
    @Query('unitId') unitId?: string,
    @Query('kind') kind?: string,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<Page<NoticeView>> {
    const notices = await this.queries.execute(new GetNotices(principalOf(req), { ...(unitId ? { unitId } : {}), ...(kind ? { kind } : {}) }, at));
    return pageOf(notices, (n) => n.noticeId, { after, limit });
  }

  @Get('notices/:noticeId')
  @ApiOperation({ summary: 'One notice with its deliveries and their attempts' })
  async one(@Param('noticeId') noticeId: string, @Req() req: AuthenticatedRequest, @ReadAtParam() at: ReadAt): Promise<NoticeView> {
    const [view] = await this.queries.execute(new GetNotices(principalOf(req), { noticeId }, at));
    return view!;
  }
}
