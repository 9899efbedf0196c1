import { Inject, Injectable } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, ForbiddenError, type Principal } from '../../engine/commands/command.js';
import { ProjectionQuery, type ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { hasRole, mayReadUnit } from '../access/access.js';
import { availableChannels, type ChannelsConfig } from './notices.channels.js';
import type { Channel } from './notices.events.js';
import { noticesProjection, todoProjection, type CaseTodo, type ChannelChoice, type InboxItem, type NoticeView, type ReportTodo, type ReviewTodo } from './notices.projection.js';
import { NOTICES_CHANNELS } from './notices.service.js';

export interface InboxView {
  unread: number;
  total: number;
  /** Every notice shown (all, or the unread ones), newest first: the controller pages them. */
  items: InboxItem[];
}

export class GetInbox extends ProjectionQuery<InboxView> {
  constructor(
    readonly reader: Principal,
    readonly options: { unreadOnly?: boolean } = {},
    at: ReadAt = {},
  ) {
    super(at);
  }
}

/** The counts on the menu: what waits for this person, by their roles. */
export interface TodoView {
  /** Reporter: the unit's reports to draft or correct (open, draft, returned), of which overdue. */
  toDraft: number;
  overdueToDraft: number;
  /** Head: the unit's submitted reports to sign. */
  toSign: number;
  /** Office: signed reports to receive. */
  toReceive: number;
  /** The unit's people: open cases where the unit's step is due; the earliest deadline. */
  casesDue: number;
  nextCaseDeadline: string | null;
  /** Supervisor: cases waiting for the bureau's review. */
  casesToReview: number;
  /** Leader: year-end proposals submitted for approval. */
  proposalsToApprove: number;
  unreadNotices: number;
}

export class GetTodo extends ProjectionQuery<TodoView> {
  constructor(
    readonly reader: Principal,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

export class GetNotices extends ProjectionQuery<NoticeView[]> {
  constructor(
    readonly reader: Principal,
    readonly filter: { noticeId?: string; unitId?: string; kind?: string },
    at: ReadAt = {},
  ) {
    super(at);
  }
}

export interface ChannelsView {
  available: Channel[];
  channels: Channel[];
  email: string | null;
}

export class GetChannels extends ProjectionQuery<ChannelsView> {
  constructor(
    readonly reader: Principal,
    at: ReadAt = {},
  ) {
    super(at);
  }
}

@QueryHandler(GetInbox)
@Injectable()
export class GetInboxHandler implements IQueryHandler<GetInbox, InboxView> {
  constructor(private readonly engine: Engine) {}

  async execute({ reader, options, at }: GetInbox): Promise<InboxView> {
    const docs = await this.engine.docs(noticesProjection, at);
    const all = (await docs.list<InboxItem>('inbox', `${reader.userId}/`))
      .map((r) => r.doc)
      .sort((a, b) => b.issuedAt.localeCompare(a.issuedAt) || b.noticeId.localeCompare(a.noticeId));
    const shown = options.unreadOnly ? all.filter((i) => !i.readAt) : all;
    return { unread: all.filter((i) => !i.readAt).length, total: all.length, items: shown };
  }
}

@QueryHandler(GetTodo)
@Injectable()
export class GetTodoHandler implements IQueryHandler<GetTodo, TodoView> {
  constructor(private readonly engine: Engine) {}

  async execute({ reader, at }: GetTodo): Promise<TodoView> {
    const todo = await this.engine.docs(todoProjection, at);
    const notices = await this.engine.docs(noticesProjection, at);
    const unit = reader.unitId;
    const mine = <T extends { unitId: string }>(rows: T[]) => (unit ? rows.filter((r) => r.unitId === unit) : []);
    const reports = (await todo.list<ReportTodo>('reports')).map((r) => r.doc);
    const cases = (await todo.list<CaseTodo>('cases')).map((r) => r.doc);
    const reviews = (await todo.list<ReviewTodo>('reviews')).map((r) => r.doc);
    const drafting = hasRole(reader, 'reporter') ? mine(reports).filter((r) => r.status === 'open' || r.status === 'draft' || r.status === 'returned') : [];
    const unitCases = hasRole(reader, 'reporter', 'head') ? mine(cases).filter((c) => c.waitingFor === 'unit') : [];
    const deadlines = unitCases
      .map((c) => c.dueAt)
      .filter((d): d is string => d !== null)
      .sort();
    return {
      toDraft: drafting.length,
      overdueToDraft: drafting.filter((r) => r.overdue).length,
      toSign: hasRole(reader, 'head') ? mine(reports).filter((r) => r.status === 'submitted').length : 0,
      toReceive: hasRole(reader, 'office') ? reports.filter((r) => r.status === 'signed').length : 0,
      casesDue: unitCases.length,
      nextCaseDeadline: deadlines[0] ?? null,
      casesToReview: hasRole(reader, 'supervisor') ? cases.filter((c) => c.waitingFor === 'bureau').length : 0,
      proposalsToApprove: hasRole(reader, 'leader') ? reviews.filter((r) => r.status === 'submitted').length : 0,
      unreadNotices: (await notices.list<InboxItem>('inbox', `${reader.userId}/`)).filter((r) => !r.doc.readAt).length,
    };
  }
}

/** "Was the unit told?": county roles read every notice and its deliveries; a unit's people those about their unit; anyone those addressed to them. */
@QueryHandler(GetNotices)
@Injectable()
export class GetNoticesHandler implements IQueryHandler<GetNotices, NoticeView[]> {
  constructor(private readonly engine: Engine) {}

  async execute({ reader, filter, at }: GetNotices): Promise<NoticeView[]> {
    const county = hasRole(reader, 'office', 'supervisor', 'leader', 'auditor', 'admin');
    if (!county && filter.unitId !== undefined && !mayReadUnit(reader, filter.unitId))
      throw new ForbiddenError(`${reader.name ?? reader.userId} may not read the notices of unit ${filter.unitId}`);
    const docs = await this.engine.docs(noticesProjection, at);
    const rows = filter.noticeId
      ? [await docs.get<NoticeView>('notices', filter.noticeId)].filter((v): v is NoticeView => v !== undefined)
      : (await docs.list<NoticeView>('notices')).map((r) => r.doc);
    const visible = rows.filter(
      (n) =>
        (filter.unitId === undefined || n.unitId === filter.unitId) &&
        (filter.kind === undefined || n.kind === filter.kind) &&
        (county || n.recipients.some((r) => r.userId === reader.userId) || (n.unitId !== undefined && mayReadUnit(reader, n.unitId))),
    );
    if (filter.noticeId && visible.length === 0) throw new DomainError('notice-unknown', `no notice ${filter.noticeId} that ${reader.userId} may read`, { status: 404 });
    return visible.sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.noticeId.localeCompare(b.noticeId));
  }
}

@QueryHandler(GetChannels)
@Injectable()
export class GetChannelsHandler implements IQueryHandler<GetChannels, ChannelsView> {
  constructor(
    private readonly engine: Engine,
    @Inject(NOTICES_CHANNELS) private readonly channels: ChannelsConfig,
  ) {}

  async execute({ reader, at }: GetChannels): Promise<ChannelsView> {
    const docs = await this.engine.docs(noticesProjection, at);
    const chosen = await docs.get<ChannelChoice>('channels', reader.userId);
    return { available: availableChannels(this.channels), channels: chosen?.channels ?? [], email: chosen?.email ?? null };
  }
}

export const NOTICES_QUERY_HANDLERS = [GetInboxHandler, GetTodoHandler, GetNoticesHandler, GetChannelsHandler];
