/**
 * Names for the API's types, every one taken from the generated OpenAPI client types (schema.d.ts):
 * a schema of the document by its name, or the answer or body of an operation by its path and
 * method. No shape is written here; when the server changes, the type-checker finds the pages
 * that must follow.
 */
import type { components, paths } from './schema.js';

type Schemas = components['schemas'];
type Method = 'get' | 'put' | 'post' | 'delete';
type Json<C> = C extends { content: { 'application/json': infer J } } ? J : never;
type Success<R> = R extends { 200: infer A } ? Json<A> : R extends { 201: infer A } ? Json<A> : never;

/** The JSON answer of an operation (200 or 201). */
export type Answer<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R } ? Success<R> : never;
/** The JSON body of an operation. */
export type Body<P extends keyof paths, M extends Method> = paths[P][M] extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

export type Problem = Schemas['Problem'];
export type CommandResult = Schemas['CommandResult'];

// accounts
export type User = Answer<'/api/v1/users/{id}', 'get'>;
/** The roles an account can hold (a user's `roles` are these, the document names them where one is granted). */
export type Role = Schemas['CreateUserDto']['roles'][number];
export type LoginAnswer = Answer<'/api/v1/auth/login', 'post'>;
export type Me = Answer<'/api/v1/auth/me', 'get'>;

// plan
export type Plan = Schemas['PlanDefinition'];
export type PlanSummary = Schemas['PlanSummary'];
export type PlanIndicator = Schemas['Indicator'];
export type PlanChange = Schemas['PlanChangeDoc'];
export type PlanDraft = Schemas['DraftDoc'];
export type TargetsImportOutcome = Schemas['TargetsImportOutcome'];
/** The cells of a refused targets import: the `cells` extension of its problem, as the document's Problem schema declares it. */
export type TargetCellProblem = Schemas['TargetCellProblem'];

// reporting
export type ReportView = Schemas['ReportView'];
export type ReportLine = Schemas['ReportLine'];
export type ReportIndicator = Schemas['ReportIndicator'];
export type ReportTemplate = Answer<'/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/template', 'get'>;
export type UnitReportSummary = Schemas['UnitReportLine'];
export type ComplianceBoard = Schemas['ComplianceBoard'];
export type ComplianceCell = Schemas['ComplianceCell'];
export type Tier = Schemas['WarningTier']['tier'];

// ranking
export type CountyStanding = Schemas['CountyStanding'];
export type StandingChange = Schemas['StandingChange'];
export type StandingView = Schemas['StandingView'];
export type PeriodStandings = Answer<'/api/v1/plans/{planId}/ranking/standings', 'get'>;
export type ImportOutcome = Schemas['ImportOutcome'];
export type WarningBoard = Schemas['WarningBoard'];
export type ScoringRules = Schemas['ScoringRules'];

// annex 2
export type Annex2Table = Schemas['Annex2Table'];
export type Annex2Row = Schemas['Annex2Row'];

// assessment
export type QuarterView = Schemas['QuarterView'];
export type QuarterSnapshot = Schemas['QuarterSnapshot'];
export type SnapshotRow = Schemas['SnapshotRow'];
export type SnapshotDiff = Schemas['QuarterDiff'];

// supervision
export type BoardRow = Schemas['BoardRow'];
export type CaseView = Schemas['CaseView'];
export type CaseGround = Schemas['OnGroundDto']['ground'];

// rewards
export type ProposalView = Schemas['ProposalView'];
/** A line of the proposal as read: the line with its amendments. */
export type ProposalLine = ProposalView['lines'][number];

// audit
export type TimelineEntry = Schemas['TimelineEntry'];
export type TimelinePage = Schemas['TimelinePage'];
export type ViewDiff = Schemas['ViewDiff'];
export type AnnexProvenance = Schemas['Provenance'];
export type VerifyReport = Answer<'/api/v1/audit/verify', 'post'>;
export type SealInfo = Schemas['SealView'];

// the demo
export type DemoStatus = Schemas['DemoStatus'];

// documents
export type DocumentSummary = Schemas['DocumentSummary'];
export type DocumentKind = DocumentSummary['kind'];
export type IssueDocument = Schemas['IssueDocumentDto'];

// notices and attachments
export type AttachmentView = Schemas['AttachmentView'];
export type InboxItem = Schemas['InboxItem'];
export type TodoCounts = Schemas['TodoView'];
export type NoticeChannel = Schemas['ChannelsDto']['channels'][number];
