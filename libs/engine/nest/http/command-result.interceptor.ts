import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import type { CommandResult } from '../../commands/command-executor.js';

/**
 * A command's answer carries the stream revision as its ETag (the next If-Match) and the global
 * position to pass as ?minPosition= for reading one's own write.
 */
@Injectable()
export class CommandResultInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = ctx.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((result: CommandResult) => {
        if (result && typeof result.revision === 'number') {
          res.setHeader('ETag', `"${result.revision}"`);
          if (result.position) res.setHeader('X-Position', result.position);
        }
        return result;
      }),
    );
  }
}
