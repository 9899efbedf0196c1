import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCookieAuth, ApiHeader, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { CookieOptions, Response } from 'express';
import type { Clock } from '../../engine/clock.js';
import { DomainError } from '../../engine/commands/command.js';
import type { CommandResult } from '../../engine/commands/command-executor.js';
import { CLOCK } from '../../engine/nest/engine.js';
import { commandMeta, executeOptions, principalOf } from '../../engine/nest/http/command-request.js';
import { CommandResultInterceptor } from '../../engine/nest/http/command-result.interceptor.js';
import { pageOf, type Page } from '../../engine/nest/http/paging.js';
import { badRequest } from '../../engine/nest/http/problem-details.js';
import { Public } from '../../engine/nest/http/public.js';
import { ROLES } from '../access/access.js';
import { AccountsBusCommand, ChangeOwnPassword, CreateUser, GetUser, ListUsers, ResetPassword, SignIn, SignOut } from './accounts.handlers.js';
import type { UserDoc } from './accounts.projection.js';
import { ACCOUNTS_SETTINGS, type AccountsSettings } from './accounts.settings.js';
import { LoginAddressGuard } from './login-throttle.js';
import { languageOf, MIN_PASSWORD_LENGTH } from './password-policy.js';
import { AllowedBeforePasswordChange, type SessionRequest } from './session.guard.js';
import { SESSION_COOKIE, sessionEndsAt } from './sessions.js';

class LoginDto {
  @ApiProperty({ example: 'fgw-reporter' }) @IsString() @MaxLength(100) username!: string;
  @ApiProperty({ format: 'password' }) @IsString() @MaxLength(1024) password!: string;
}

class ChangePasswordDto {
  @ApiProperty({ format: 'password', description: 'the password signed in with (the one-time one, at first)' })
  @IsString()
  @MaxLength(1024)
  current!: string;

  @ApiProperty({
    format: 'password',
    minLength: MIN_PASSWORD_LENGTH,
    description: `at least ${MIN_PASSWORD_LENGTH} characters of three kinds (upper, lower, digit, symbol), not containing the username, not a common password (422 password-rejected lists each rule broken, by code, in the Accept-Language)`,
  })
  @IsString()
  @MaxLength(1024)
  next!: string;
}

class CreateUserDto {
  @ApiProperty({ example: 'fgw-reporter', description: '2–40 characters: lower-case letters, digits and . _ - (case-insensitive, unique)' })
  @IsString()
  @MaxLength(40)
  username!: string;

  @ApiProperty({ example: '王芳', description: 'display name' }) @IsString() @MaxLength(100) name!: string;

  @ApiPropertyOptional({ example: 'fgw', description: 'the user’s unit (required for reporter and head); a user has one unit' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  unitId?: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true, default: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: string[];
}

class GrantRoleDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: string;
  @ApiPropertyOptional({ description: 'for reporter and head: the user’s unit (defaults to it)' }) @IsOptional() @IsString() @MaxLength(40) unitId?: string;
  @ApiPropertyOptional({ description: 'why the role is granted (recorded with the event; the web UI asks for it)' }) @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

/** A privileged change whose reason is recorded with its event (optional for API clients; the web UI asks for it). */
class ReasonDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

class DisableUserDto {
  @ApiProperty({ example: '调离岗位 (transferred)' }) @IsString() @MinLength(1) @MaxLength(2000) reason!: string;
}

class EnableUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What the API shows of a user: the account, never a secret. */
export type UserView = Pick<UserDoc, 'userId' | 'username' | 'name' | 'roles' | 'disabled' | 'createdAt' | 'updatedAt' | 'revision'> &
  Partial<Pick<UserDoc, 'unitId' | 'disabledReason' | 'passwordSetAt' | 'passwordSetBy'>>;

function userView(u: UserDoc): UserView {
  return {
    userId: u.userId,
    username: u.username,
    name: u.name,
    ...(u.unitId ? { unitId: u.unitId } : {}),
    roles: u.roles,
    disabled: u.disabled,
    ...(u.disabledReason ? { disabledReason: u.disabledReason } : {}),
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    ...(u.passwordSetAt ? { passwordSetAt: u.passwordSetAt, passwordSetBy: u.passwordSetBy } : {}),
    revision: u.revision,
  };
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ACCOUNTS_SETTINGS) private readonly settings: AccountsSettings,
  ) {}

  @Post('login')
  @Public()
  @UseGuards(LoginAddressGuard)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in: sets the jx_session cookie (HTTP-only, SameSite=Strict) and returns the same token for Authorization: Bearer',
    description: 'A failed sign-in does not say whether the username exists. Too many failures for an account, or attempts from an address, answer 429 with Retry-After.',
  })
  async login(@Body() body: LoginDto, @Req() req: SessionRequest, @Res({ passthrough: true }) res: Response) {
    const { token, session, user } = await this.commands.execute(new SignIn(body.username, body.password, { ip: req.ip, replacing: req.jxSession?.tokenHash }));
    res.setHeader('Cache-Control', 'no-store');
    res.cookie(SESSION_COOKIE, token, { ...this.#cookie(), expires: new Date(session.expiresAt) });
    return {
      token,
      expiresAt: new Date(session.expiresAt).toISOString(),
      idleTimeoutSeconds: Math.round(this.settings.sessionIdleMs / 1000),
      mustChangePassword: session.mustChange,
      user: userView(user),
    };
  }

  @Post('logout')
  @AllowedBeforePasswordChange()
  @HttpCode(204)
  @ApiCookieAuth()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sign out: the session ends at once' })
  async logout(@Req() req: SessionRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.commands.execute(new SignOut(req.jxSession!.tokenHash));
    res.clearCookie(SESSION_COOKIE, this.#cookie());
  }

  @Get('me')
  @ApiCookieAuth()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user: roles as granted now, unit, and when the session ends' })
  async me(@Req() req: SessionRequest) {
    const s = req.jxSession!;
    return {
      user: userView(req.jxUser!),
      session: {
        createdAt: new Date(s.createdAt).toISOString(),
        expiresAt: new Date(s.expiresAt).toISOString(),
        idleExpiresAt: new Date(sessionEndsAt(s, this.settings.sessionIdleMs)).toISOString(),
      },
    };
  }

  @Post('password')
  @AllowedBeforePasswordChange()
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiCookieAuth()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change one’s own password (required after a one-time password); the user’s other sessions end' })
  changePassword(@Body() body: ChangePasswordDto, @Req() req: SessionRequest): Promise<CommandResult> {
    return this.commands.execute(new ChangeOwnPassword(req.jxUser!, req.jxSession!.tokenHash, body.current, body.next, commandMeta(req, this.clock), languageOf(req)));
  }

  #cookie(): CookieOptions {
    // Path /api: the API is the only reader; SameSite=Strict keeps other sites' pages from sending it.
    return { httpOnly: true, sameSite: 'strict', secure: this.settings.secureCookies, path: '/api' };
  }
}

@ApiTags('users')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every user with their roles and unit (administrators and auditors), by username; optionally only those matching ?q= and ?role=' })
  @ApiQuery({ name: 'q', required: false, description: 'a piece of the username or the name, any case (1–100 characters)' })
  @ApiQuery({ name: 'role', required: false, enum: ROLES, description: 'only the users holding this role' })
  @ApiQuery({ name: 'minPosition', required: false, description: 'wait until this position (a command’s X-Position) is reflected' })
  async list(
    @Req() req: SessionRequest,
    @Query('minPosition') minPosition?: string,
    @Query('q') q?: string,
    @Query('role') role?: string,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<Page<UserView>> {
    if (q !== undefined && (typeof q !== 'string' || q.length > 100)) throw badRequest('q', 'a piece of a username or name, at most 100 characters');
    if (role !== undefined && !(ROLES as readonly string[]).includes(role)) throw badRequest('role', `one of ${ROLES.join(', ')}`);
    const filter = { ...(q?.trim() ? { q: q.trim() } : {}), ...(role !== undefined ? { role } : {}) };
    return pageOf((await this.queries.execute(new ListUsers(principalOf(req), minPosition, filter))).map(userView), (u) => u.userId, { after, limit });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user (ETag: the user’s revision, for If-Match)' })
  async get(@Param('id') id: string, @Req() req: SessionRequest, @Res({ passthrough: true }) res: Response) {
    const user = await this.queries.execute(new GetUser(principalOf(req), userIdOf(id)));
    if (!user) throw notFound(id);
    res.setHeader('ETag', `"${user.revision}"`);
    return userView(user);
  }

  @Post()
  @UseInterceptors(CommandResultInterceptor)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Create a user with a one-time password, shown once in the answer (oneTimePassword)' })
  async create(@Body() body: CreateUserDto, @Req() req: SessionRequest, @Res({ passthrough: true }) res: Response) {
    const created = await this.commands.execute(
      new CreateUser(
        { username: body.username, name: body.name, ...(body.unitId !== undefined ? { unitId: body.unitId } : {}), roles: body.roles ?? [] },
        commandMeta(req, this.clock),
      ),
    );
    res.setHeader('Cache-Control', 'no-store');
    // Issue 14: a creation answers 201 with where the created resource is read.
    res.setHeader('Location', `/api/v1/users/${encodeURIComponent(created.userId)}`);
    return { ...created.result, userId: created.userId, username: created.username, ...(created.oneTimePassword ? { oneTimePassword: created.oneTimePassword } : {}) };
  }

  @Post(':id/roles')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiHeader({ name: 'If-Match', required: false, description: 'the user’s revision (ETag)' })
  @ApiOperation({ summary: 'Grant a role; reporter and head only for the user’s own unit' })
  grant(@Param('id') id: string, @Body() body: GrantRoleDto, @Req() req: SessionRequest) {
    return this.#execute(
      req,
      { type: 'accounts.GrantRole', data: { userId: userIdOf(id), role: body.role, ...(body.unitId !== undefined ? { unitId: body.unitId } : {}) } },
      body.reason,
    );
  }

  @Delete(':id/roles/:role')
  @UseInterceptors(CommandResultInterceptor)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOperation({ summary: 'Revoke a role; it stops working at the user’s next request' })
  revoke(@Param('id') id: string, @Param('role') role: string, @Body() body: ReasonDto, @Req() req: SessionRequest) {
    return this.#execute(req, { type: 'accounts.RevokeRole', data: { userId: userIdOf(id), role } }, body?.reason);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOperation({ summary: 'Disable a user, with a reason: they cannot sign in and their sessions end at once' })
  disable(@Param('id') id: string, @Body() body: DisableUserDto, @Req() req: SessionRequest) {
    return this.#execute(req, { type: 'accounts.DisableUser', data: { userId: userIdOf(id), reason: body.reason } }, body.reason);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOperation({ summary: 'Enable a disabled user again' })
  enable(@Param('id') id: string, @Body() body: EnableUserDto, @Req() req: SessionRequest) {
    return this.#execute(req, { type: 'accounts.EnableUser', data: { userId: userIdOf(id) } }, body.reason);
  }

  @Post(':id/password')
  @HttpCode(200)
  @UseInterceptors(CommandResultInterceptor)
  @ApiOperation({ summary: 'Reset a user’s password: a new one-time password, shown once (oneTimePassword); their sessions end' })
  async resetPassword(@Param('id') id: string, @Body() body: ReasonDto, @Req() req: SessionRequest, @Res({ passthrough: true }) res: Response) {
    const reason = body?.reason?.trim();
    const { oneTimePassword, result } = await this.commands.execute(new ResetPassword(userIdOf(id), commandMeta(req, this.clock, reason ? { reason } : {}), executeOptions(req)));
    res.setHeader('Cache-Control', 'no-store');
    return { ...result, oneTimePassword };
  }

  #execute(req: SessionRequest, command: Pick<AccountsBusCommand['command'], 'type' | 'data'>, reason?: string): Promise<CommandResult> {
    const meta = commandMeta(req, this.clock, reason ? { reason } : {});
    return this.commands.execute(new AccountsBusCommand({ ...command, meta } as AccountsBusCommand['command'], executeOptions(req)));
  }
}

function userIdOf(id: string): string {
  if (!USER_ID.test(id)) throw notFound(id);
  return id;
}

const notFound = (id: string) => new DomainError('user-not-found', `no user ${id}`, { params: { userId: id }, status: 404 });
