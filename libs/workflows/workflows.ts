import type { WorkflowDefinition } from '../engine/nest/cqrs.js';
import { annex2Workflow } from './annex2/annex2.module.js';
import { rankingWorkflow } from './ranking/ranking.module.js';
import { reportingWorkflow } from './reporting/reporting.module.js';

/**
 * Every workflow the application runs, declared: the API mounts their controllers, the worker and
 * the CLI run them without HTTP, and the engine reads their commands, projections and reactors.
 */
export const WORKFLOWS: readonly WorkflowDefinition[] = [reportingWorkflow, rankingWorkflow, annex2Workflow];
