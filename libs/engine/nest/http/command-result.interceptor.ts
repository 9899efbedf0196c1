import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import type { CommandResult } from '../../commands/command-executor.js';

/**
 * A command's answer carries the global position of its last event as X-Position (pass it as
 * ?minPosition= to read one's own write) and, when it wrote to one stream, that stream's revision as
 * its ETag (the next If-Match). A command over many streams (opening a month: a report a unit) has a
 * position and no single revision, so no ETag. bin/openapi-operations.mjs documents the two headers
 * by the same rule, from the handler's result type.
 */
@Injectable()
export class CommandResultInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = ctx.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((result: Partial<CommandResult> | undefined) => {
        if (result && typeof result.revision === 'number') res.setHeader('ETag', `"${result.revision}"`);
        if (result && typeof result.position === 'string' && result.position) res.setHeader('X-Position', result.position);
        return result;
      }),
    );
  }
}
