import type { WorkflowDefinition } from '../engine/nest/cqrs.js';
import { registerProblemCatalogue } from '../engine/nest/http/problem-catalogue.js';
import { WORKFLOW_PROBLEMS } from './problems.js';
import { accountsWorkflow } from './accounts/accounts.module.js';
import { annex2Workflow } from './annex2/annex2.module.js';
import { assessmentWorkflow } from './assessment/assessment.module.js';
import { auditWorkflow } from './audit/audit.module.js';
import { demoWorkflow } from './demo/demo.module.js';
import { documentsWorkflow } from './documents/documents.module.js';
import { planWorkflow } from './plan/plan.module.js';
import { rankingWorkflow } from './ranking/ranking.module.js';
import { reportingWorkflow } from './reporting/reporting.module.js';
import { rewardsWorkflow } from './rewards/rewards.module.js';
import { supervisionWorkflow } from './supervision/supervision.module.js';
import { attachmentsWorkflow } from './attachments/attachments.module.js';
import { noticesWorkflow } from './notices/notices.module.js';

/**
 * Every workflow the application runs, declared: the API mounts their controllers, the worker and
 * the CLI run them without HTTP, and the engine reads their commands, projections and reactors.
 */
export const WORKFLOWS: readonly WorkflowDefinition[] = [
  accountsWorkflow,
  planWorkflow,
  reportingWorkflow,
  rankingWorkflow,
  annex2Workflow,
  rewardsWorkflow,
  assessmentWorkflow,
  supervisionWorkflow,
  demoWorkflow,
  auditWorkflow,
  documentsWorkflow,
  attachmentsWorkflow,
  noticesWorkflow,
];

// Their refusals in the reader's language: the problem-details filter words them by this catalogue.
registerProblemCatalogue(WORKFLOW_PROBLEMS);
