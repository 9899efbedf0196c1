import { ForbiddenError, type Principal } from '../../engine/commands/command.js';

/**
 * Who may do what. One table, read by every workflow's decider (authorize), by the HTTP layer
 * (which pages a role sees) and by the authorisation matrix test, so the rule is written once.
 */
export const ROLES = ['reporter', 'head', 'office', 'supervisor', 'leader', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** Durable timers and automatic reactions act as the system. */
export const SYSTEM = 'system';
export type Actor = Role | typeof SYSTEM;

/** Reporter and head act only for their own unit. */
export const UNIT_SCOPED_ROLES: readonly Role[] = ['reporter', 'head'];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  reporter: { zh: '填报员', en: 'Reporter' },
  head: { zh: '单位主要负责人', en: 'Unit head' },
  office: { zh: '县推进办', en: 'Advancement office' },
  supervisor: { zh: '督查局', en: 'Supervision bureau' },
  leader: { zh: '县领导', en: 'County leader' },
  auditor: { zh: '审计', en: 'Auditor' },
  admin: { zh: '系统管理员', en: 'Administrator' },
};

interface Permission {
  readonly roles: readonly Actor[];
  readonly description: string;
}

export const PERMISSIONS = {
  'plan.publish': { roles: ['admin', 'office', SYSTEM], description: 'publish a plan (a year, a county)' },
  'plan.revise': { roles: ['office'], description: 'set or revise a target, baseline or rule, with a reason' },

  'report.open': { roles: ['office'], description: 'open a month’s reports (sets their deadlines)' },
  'report.draft': { roles: ['reporter'], description: 'save the monthly report draft of one’s unit' },
  'report.submit': { roles: ['reporter'], description: 'submit the monthly report of one’s unit' },
  'report.sign': { roles: ['head'], description: 'sign and seal the submitted report of one’s unit' },
  'report.receive': { roles: ['office'], description: 'receive a signed report' },
  'report.return': { roles: ['office'], description: 'return a report to its unit with a reason' },
  'report.enterOnBehalf': { roles: ['office'], description: 'enter a unit’s paper report on its behalf (draft and submit, naming the unit)' },
  'report.correct': { roles: ['office', 'admin'], description: 'correct a received figure with a reason' },
  'report.deadline': { roles: [SYSTEM], description: 'deadline timers: reminders and overdue' },

  'figures.record': { roles: ['office'], description: 'record the six counties’ figures as the city publishes them' },
  'scoring.revise': { roles: ['office'], description: 'publish a new version of the scoring rule' },
  'standing.recompute': { roles: [SYSTEM, 'office'], description: 'recompute standings after the plan’s warning tiers changed' },

  'assessment.prepare': { roles: ['office'], description: 'prepare the quarter’s figures' },
  'assessment.meeting': { roles: ['office'], description: 'record the leading group’s meeting' },
  'assessment.publish': { roles: ['office'], description: 'publish the frozen quarterly snapshot' },

  'supervision.open': { roles: [SYSTEM, 'supervisor'], description: 'open a supervision case for a red warning' },
  'supervision.open-on-ground': { roles: ['supervisor'], description: 'open a case on a ground the plan names (行动不力、工作滞后、成效不明显), whatever the colour' },
  'supervision.respond': { roles: ['head', 'reporter'], description: 'acknowledge a case, submit a rectification plan or feedback for one’s unit' },
  'supervision.review': { roles: ['supervisor'], description: 'review, escalate (通报/约谈), report to leaders, close a case' },
  'supervision.deadline': { roles: [SYSTEM], description: 'case deadline timers' },

  'rewards.propose': { roles: ['office'], description: 'generate and amend the year-end proposal' },
  'rewards.approve': { roles: ['leader'], description: 'approve or send back the year-end list (the county government)' },

  'accounts.manage': { roles: ['admin'], description: 'create users, grant and revoke roles, disable users' },
  'audit.seal': { roles: ['admin', 'office', SYSTEM], description: 'seal the record up to now' },
  'demo.play': { roles: ['admin', SYSTEM], description: 'play the synthetic demo year on a store without real data (outside production)' },
  'documents.issue': { roles: ['office'], description: 'issue an official document of the office: quarterly notice, reward/penalty list and decision, monthly report' },
  'documents.issueSupervision': { roles: ['supervisor'], description: 'issue the supervision notice or admonitory-talk notice of a case' },
  // Issue 16: attachments as evidence, added by those who handle the thing they are attached to.
  'attachment.report': { roles: ['reporter', 'head', 'office'], description: 'attach a file (the scanned signed paper copy) to a monthly report' },
  'attachment.case': { roles: ['reporter', 'head', 'supervisor'], description: 'attach a file (plan, feedback evidence, photos) to a supervision case' },
  'attachment.decision': { roles: ['office', 'leader'], description: 'attach a file (the signed decision) to the approved year-end decision' },
} as const satisfies Record<string, Permission>;

export type PermissionName = keyof typeof PERMISSIONS;

/**
 * Returns the role the principal acts in for `permission` on `unitId`, or throws ForbiddenError.
 * A unit-scoped role counts only for the principal's own unit; the auditor never acts.
 */
export function authorize(principal: Principal, permission: PermissionName, unitId?: string): Actor {
  const allowed = PERMISSIONS[permission].roles as readonly string[];
  for (const role of principal.roles) {
    if (!allowed.includes(role)) continue;
    if ((UNIT_SCOPED_ROLES as readonly string[]).includes(role) && (unitId === undefined || principal.unitId !== unitId)) continue;
    return role as Actor;
  }
  const held = principal.roles.length ? principal.roles.join(', ') : 'no role';
  const scoped = unitId !== undefined && allowed.some((r) => (UNIT_SCOPED_ROLES as readonly string[]).includes(r));
  throw new ForbiddenError(
    `${principal.name ?? principal.userId} (${held}${principal.unitId ? `, unit ${principal.unitId}` : ''}) may not ${PERMISSIONS[permission].description}` +
      (scoped ? ` for unit ${unitId}` : ''),
  );
}

export function hasRole(principal: Principal, ...roles: Actor[]): boolean {
  return principal.roles.some((r) => (roles as string[]).includes(r));
}

/** Reports and cases of a unit are read by its own people and by every county-level role. */
export function mayReadUnit(principal: Principal, unitId: string): boolean {
  if (hasRole(principal, 'office', 'supervisor', 'leader', 'auditor', 'admin', SYSTEM)) return true;
  return principal.unitId === unitId && hasRole(principal, 'reporter', 'head');
}

/** County-level readers of the whole record: the audit pages, timelines, comparisons and exports. */
export function mayAudit(principal: Principal): boolean {
  return hasRole(principal, 'auditor', 'office', 'supervisor', 'leader', 'admin');
}
