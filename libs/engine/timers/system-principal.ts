import type { Principal } from '../commands/command.js';

/**
 * Timers act as the system, on behalf of the rule that set them. Its own module (not the
 * scheduler's, which loads BullMQ) so the command line's store-only commands start quickly. The
 * name is recorded on the events; screens word the system actor from their catalogues.
 */
export const SYSTEM_PRINCIPAL: Principal = { userId: 'system', name: '系统（定时任务）', roles: ['system'] };
