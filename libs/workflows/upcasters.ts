import type { Upcasters } from '../engine/event-store/envelope.js';
import { REWARDS_UPCASTERS } from './rewards/rewards.upcasters.js';

/**
 * Every workflow's upcasters, for readers that open the store without the application (the command
 * line's listings). upcasters.unit.spec.ts checks this matches what the workflows declare.
 */
export const WORKFLOW_UPCASTERS: Upcasters = { ...REWARDS_UPCASTERS };
