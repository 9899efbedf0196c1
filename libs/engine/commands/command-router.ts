import type { Command } from './command.js';
import type { CommandResult, ExecuteOptions } from './command-executor.js';

export type CommandHandler = (command: Command, options?: ExecuteOptions) => Promise<CommandResult>;

export class UnknownCommandError extends Error {
  readonly code = 'unknown-command';
}

/**
 * Routes a command to its workflow by its type string. Commands arrive from HTTP, the CLI and
 * durable timers (stored as data), so routing is by name, not by class.
 */
export class CommandRouter {
  readonly #handlers = new Map<string, CommandHandler>();

  register(types: readonly string[], handler: CommandHandler): void {
    for (const type of types) {
      if (this.#handlers.has(type)) throw new Error(`command ${type} has two handlers`);
      this.#handlers.set(type, handler);
    }
  }

  execute(command: Command, options?: ExecuteOptions): Promise<CommandResult> {
    const handler = this.#handlers.get(command.type);
    if (!handler) return Promise.reject(new UnknownCommandError(`no workflow handles command "${command.type}"`));
    return handler(command, options);
  }

  types(): string[] {
    return [...this.#handlers.keys()].sort();
  }
}
