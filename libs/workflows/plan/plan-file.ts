/**
 * A performance plan as data: one county, one year, one peer group (see docs/domain.md). Next year's
 * plan or another county's is a new YAML file, never new code, so nothing here knows about any
 * particular county; every fact comes from the file and every cross-reference is checked.
 *
 * `parsePlanFile` refuses a file with a `PlanFileError` listing every problem found, each naming the
 * line and the field, because the people who maintain plan files are not the people who read stack
 * traces.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import {
  isIsoDate,
  isoWeekday,
  isKnownTimeZone,
  type Holiday,
  type IsoDate,
  type IsoWeekday,
  type WorkingCalendar,
  type WorkingWeekendDay,
} from './working-calendar.js';

export type { IsoDate, IsoWeekday, WorkingCalendar, Holiday, WorkingWeekendDay } from './working-calendar.js';

export const PLAN_SCHEMA_VERSION = 1;

export interface Label {
  readonly zh: string;
  readonly en: string;
}

export interface PeerCounty {
  /** Stable ASCII id, e.g. `ye`. */
  readonly id: string;
  readonly name: string;
  /** The county whose plan this is; exactly one per peer group. */
  readonly ours: boolean;
}

export interface PeerGroup {
  readonly name: string;
  /** Ranks run 1..size. */
  readonly size: number;
  /** In display order. */
  readonly counties: readonly PeerCounty[];
}

export interface Section {
  /** 1-based, in order. */
  readonly id: number;
  /** The Chinese numeral the source uses (一 … 七). */
  readonly numeral: string;
  readonly title: string;
}

export interface Unit {
  /** Stable ASCII id, e.g. `fgw`. */
  readonly id: string;
  /** As in the plan's body, e.g. 县发改委. */
  readonly name: string;
  /** As in the monthly table (Annex 2), e.g. 发改委. */
  readonly shortName: string;
  /** Other spellings the source uses for this unit. */
  readonly aliases: readonly string[];
  readonly note?: string;
  readonly sourceNote?: string;
}

export interface UnitOfMeasure {
  /** e.g. `percent`, `ug/m3`. */
  readonly id: string;
  /** As printed after a value, e.g. `%`, `μg/m³`; may be empty. */
  readonly symbol: string;
  readonly zh: string;
  readonly en: string;
}

export const INDICATOR_KINDS = ['ranked', 'task'] as const;
/** `ranked`: a value the county measures, ranked among the peers. `task`: completion judged and scored by the city or province. */
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

export const DIRECTIONS = ['higher-is-better', 'lower-is-better'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface Baseline {
  /** The previous year's result, once known. */
  readonly value: number | null;
  /** The previous year's rank among the peers, once known. */
  readonly rank: number | null;
}

export interface Indicator {
  /** 1-based, in order, unique. */
  readonly no: number;
  /** A `Section.id`. */
  readonly section: number;
  /** The monthly table's wording, typos included. */
  readonly name: string;
  /** The body's wording, when it differs from `name`. */
  readonly alias?: string;
  readonly points: number;
  /** `Unit.id`s, at least one, in the source's order. */
  readonly units: readonly string[];
  readonly kind: IndicatorKind;
  /** A `UnitOfMeasure.id`. */
  readonly unitOfMeasure: string;
  readonly direction: Direction;
  /** Written `baseline<year-1>` in the file (e.g. `baseline2022`). */
  readonly baseline: Baseline;
  /** The county's own target for the plan year; written `target<year>` in the file. */
  readonly target: number | null;
  /** Why the plan models the indicator this way. */
  readonly note?: string;
  /** Where the source is inconsistent about this indicator. */
  readonly sourceNote?: string;
}

export const WARNING_TIERS = ['green', 'yellow', 'red'] as const;
export type WarningTierId = (typeof WARNING_TIERS)[number];

export interface WarningTier {
  readonly tier: WarningTierId;
  /** Inclusive. */
  readonly fromRank: number;
  /** Inclusive. */
  readonly toRank: number;
  readonly label: Label;
}

export const PROMOTION_PERSONS = ['head', 'deputy'] as const;
export type PromotionPerson = (typeof PROMOTION_PERSONS)[number];

/** What a reward tier does to a unit; `zh` quotes the source. */
export type Consequence =
  | { readonly kind: 'commendation-priority'; readonly zh: string }
  | { readonly kind: 'recommend-for-promotion'; readonly persons: readonly PromotionPerson[]; readonly zh: string }
  | { readonly kind: 'public-criticism'; readonly zh: string }
  | { readonly kind: 'pause-promotion'; readonly persons: readonly PromotionPerson[]; readonly months: number; readonly zh: string }
  /** `months` > 0 adds working funds, < 0 deducts them. */
  | { readonly kind: 'working-funds'; readonly months: number; readonly zh: string };

export const CONSEQUENCE_KINDS = [
  'commendation-priority',
  'recommend-for-promotion',
  'public-criticism',
  'pause-promotion',
  'working-funds',
] as const satisfies readonly Consequence['kind'][];

export interface RewardTier {
  /** e.g. `first`, `third`. */
  readonly tier: string;
  readonly label: Label;
  /** Inclusive annual rank range. */
  readonly fromRank: number;
  readonly toRank: number;
  readonly consequences: readonly Consequence[];
}

export interface Rewards {
  readonly proposedBy: string;
  readonly approvedBy: string;
  readonly note?: string;
  /** Ranks in no tier carry no reward or penalty. */
  readonly tiers: readonly RewardTier[];
}

export interface MonthlyReportRule {
  /** Due before this day of the following month, i.e. by the end of the day before, local time. */
  readonly dueBeforeDayOfNextMonth: number;
  /** IANA time zone, e.g. Asia/Shanghai. */
  readonly timeZone: string;
  readonly reminderWorkingDaysBefore: number;
  readonly signedByHead: boolean;
  readonly stampedByUnit: boolean;
  readonly paperCopies: number;
  readonly deliverTo: string;
  readonly officeRoom: string;
  readonly email: string;
  readonly note?: string;
}

export interface LeadingGroupMember {
  /** e.g. `leader`, `executive-deputy-leader`, `deputy-leader`. */
  readonly role: string;
  readonly roleZh: string;
  readonly name: string;
  readonly title: string;
}

export interface OfficeHolder {
  readonly name: string;
  readonly title: string;
  /** A `Unit.id`. */
  readonly unit: string;
}

export interface LeadingGroup {
  readonly name: string;
  /** Exactly one member has role `leader`. */
  readonly members: readonly LeadingGroupMember[];
  readonly memberUnits?: string;
  readonly substitutionRule?: string;
  readonly office: {
    readonly name: string;
    /** A `Unit.id`: the unit the office sits in. */
    readonly hostUnit: string;
    readonly duties?: string;
    readonly director: OfficeHolder;
    readonly deputyDirectors: readonly OfficeHolder[];
  };
}

export interface PlanDefinition {
  readonly schemaVersion: typeof PLAN_SCHEMA_VERSION;
  /** Stable id, e.g. `ye-county-2023`. */
  readonly id: string;
  readonly documentNumber: string;
  readonly issuer: string;
  readonly issuedOn: IsoDate;
  readonly noticeTitle?: string;
  readonly title: string;
  readonly basis?: string;
  readonly year: number;
  readonly province?: string;
  readonly city: string;
  /** Equals the name of the peer county marked `ours`. */
  readonly county: string;
  /** Equals the sum of the indicators' points. */
  readonly totalPoints: number;
  readonly peerGroup: PeerGroup;
  readonly sections: readonly Section[];
  readonly units: readonly Unit[];
  /** A `Unit.id`. */
  readonly supervisionBureau: string;
  readonly unitsOfMeasure: readonly UnitOfMeasure[];
  readonly indicators: readonly Indicator[];
  /** Cover ranks 1..peerGroup.size exactly once. */
  readonly warningTiers: readonly WarningTier[];
  readonly rewards: Rewards;
  readonly monthlyReport: MonthlyReportRule;
  readonly leadingGroup: LeadingGroup;
  readonly calendar: WorkingCalendar;
  /**
   * Who reads the compliance and supervision boards. Absent or `publicInCounty: false`: a unit's
   * people read their own unit's rows only; `true`: every signed-in user of the county reads all.
   */
  readonly boards?: { readonly publicInCounty: boolean };
}

export interface PlanFileIssue {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** Path into the document, e.g. `indicators[11].points`. */
  readonly field: string;
  /** The problem alone, e.g. `points must be a positive number`. */
  readonly reason: string;
  /** `<file> line <n>: <where>: <reason>`. */
  readonly message: string;
}

/** The plan file was refused; `errors` lists every problem in line order, the first is also the message's first line. */
export class PlanFileError extends Error {
  override readonly name = 'PlanFileError';
  readonly file: string;
  readonly line: number;
  readonly field: string;
  constructor(readonly errors: readonly PlanFileIssue[]) {
    const [first, ...rest] = errors;
    if (!first) throw new TypeError('PlanFileError needs at least one issue');
    super(
      rest.length === 0
        ? first.message
        : `${first.message}\n(${rest.length} more problem${rest.length === 1 ? '' : 's'}:)\n${rest.map((e) => `  ${e.message}`).join('\n')}`,
    );
    this.file = first.file;
    this.line = first.line;
    this.field = first.field;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading YAML nodes while keeping track of where they are, so every complaint can name its line.

interface Ctx {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly issues: PlanFileIssue[];
}

/** A value in the document: its node (absent for a missing key), its line, its path and how to name it to a person. */
interface At {
  readonly node: Node | null;
  readonly line: number;
  readonly field: string;
  readonly label: string;
}

function report(ctx: Ctx, at: Pick<At, 'line' | 'field' | 'label'>, reason: string): void {
  ctx.issues.push({
    file: ctx.file,
    line: at.line,
    field: at.field,
    reason,
    message: `${ctx.file} line ${at.line}: ${at.label}: ${reason}`,
  });
}

function lineOf(ctx: Ctx, node: Node | null | undefined, fallback: number): number {
  const offset = node?.range?.[0];
  return offset === undefined ? fallback : ctx.lines.linePos(offset).line;
}

function resolve(ctx: Ctx, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(ctx.doc) as Node | undefined) ?? null;
  return (node as Node | null) ?? null;
}

function child(parent: Pick<At, 'field' | 'label'>, key: string): Pick<At, 'field' | 'label'> {
  return {
    field: parent.field ? `${parent.field}.${key}` : key,
    label: parent.label ? `${parent.label}: ${key}` : key,
  };
}

/** The fields of a mapping, each with its line; reports keys not in `allowed` (a typo in an optional key would otherwise be lost). */
type Fields = { readonly at: At; readonly get: (key: string) => At | undefined };

function openMap(ctx: Ctx, at: At, allowed: readonly string[] | ((key: string) => boolean)): Fields | undefined {
  if (!isMap(at.node)) {
    report(ctx, at, 'must be a mapping (key: value pairs)');
    return undefined;
  }
  const byKey = new Map<string, At>();
  const isAllowed = typeof allowed === 'function' ? allowed : (k: string) => allowed.includes(k);
  for (const pair of at.node.items as Pair[]) {
    const keyNode = resolve(ctx, pair.key);
    const key = isScalar(keyNode) ? String(keyNode.value) : '?';
    const keyLine = lineOf(ctx, keyNode, at.line);
    const where = child(at, key);
    if (!isAllowed(key)) {
      const known = typeof allowed === 'function' ? '' : `; expected one of: ${allowed.join(', ')}`;
      report(ctx, { ...where, line: keyLine }, `unknown field "${key}"${known}`);
      continue;
    }
    // A field is named by its key's line: a block list or mapping value only starts on the next line.
    byKey.set(key, { ...where, node: resolve(ctx, pair.value), line: keyLine });
  }
  return { at, get: (key) => byKey.get(key) };
}

function required(ctx: Ctx, fields: Fields, key: string): At | undefined {
  const at = fields.get(key);
  // Named at the line where the enclosing mapping starts: there is no line for what is not there.
  if (at === undefined) report(ctx, { field: child(fields.at, key).field, label: fields.at.label, line: fields.at.line }, `missing required field "${key}"`);
  return at;
}

function scalarValue(at: At): unknown {
  return isScalar(at.node) ? at.node.value : at.node === null ? null : undefined;
}

function readString(ctx: Ctx, at: At | undefined, { allowEmpty = false } = {}): string | undefined {
  if (!at) return undefined;
  const v = scalarValue(at);
  if (typeof v !== 'string' || (!allowEmpty && v.trim() === '')) {
    report(ctx, at, allowEmpty ? 'must be text' : 'must be non-empty text');
    return undefined;
  }
  return v;
}

function readOptionalString(ctx: Ctx, fields: Fields, key: string): string | undefined {
  return readString(ctx, fields.get(key));
}

const ASCII_ID = /^[a-z][a-z0-9-]*$/;

function readId(ctx: Ctx, at: At | undefined, pattern = ASCII_ID): string | undefined {
  const v = readString(ctx, at);
  if (v !== undefined && !pattern.test(v)) {
    report(ctx, at!, `"${v}" is not a valid id: use lower-case ASCII letters, digits and "-" (matching ${pattern})`);
    return undefined;
  }
  return v;
}

function readNumber(ctx: Ctx, at: At | undefined, what: string, ok: (n: number) => boolean): number | undefined {
  if (!at) return undefined;
  const v = scalarValue(at);
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    report(ctx, at, `must be ${what}${v === undefined || v === null ? '' : `, got ${JSON.stringify(v)}`}`);
    return undefined;
  }
  return v;
}

const positiveInteger = (n: number) => Number.isInteger(n) && n > 0;

function readNullableNumber(ctx: Ctx, at: At | undefined, what: string, ok: (n: number) => boolean): number | null | undefined {
  if (!at) return undefined;
  if (scalarValue(at) === null) return null;
  return readNumber(ctx, at, `${what} or null`, ok);
}

function readBoolean(ctx: Ctx, at: At | undefined): boolean | undefined {
  if (!at) return undefined;
  const v = scalarValue(at);
  if (typeof v !== 'boolean') {
    report(ctx, at, 'must be true or false');
    return undefined;
  }
  return v;
}

function readOneOf<T extends string>(ctx: Ctx, at: At | undefined, values: readonly T[]): T | undefined {
  if (!at) return undefined;
  const v = scalarValue(at);
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    report(ctx, at, `must be one of ${values.join(', ')}${v === undefined ? '' : `, got ${JSON.stringify(v)}`}`);
    return undefined;
  }
  return v as T;
}

function readDate(ctx: Ctx, at: At | undefined): IsoDate | undefined {
  if (!at) return undefined;
  const v = scalarValue(at);
  if (!isIsoDate(v)) {
    report(ctx, at, `must be a date written YYYY-MM-DD${v === undefined ? '' : `, got ${JSON.stringify(v)}`}`);
    return undefined;
  }
  return v;
}

/** The items of a list, each with its own line, named `field[i]`. */
function readSeq(ctx: Ctx, at: At | undefined, { nonEmpty = true } = {}): At[] | undefined {
  if (!at) return undefined;
  if (!isSeq(at.node)) {
    report(ctx, at, 'must be a list');
    return undefined;
  }
  if (nonEmpty && at.node.items.length === 0) {
    report(ctx, at, 'must not be empty');
    return undefined;
  }
  return at.node.items.map((item, i) => {
    const node = resolve(ctx, item);
    return { node, line: lineOf(ctx, node, at.line), field: `${at.field}[${i}]`, label: `${at.label}[${i}]` };
  });
}

function readLabel(ctx: Ctx, at: At | undefined): Label | undefined {
  if (!at) return undefined;
  const f = openMap(ctx, at, ['zh', 'en']);
  if (!f) return undefined;
  const zh = readString(ctx, required(ctx, f, 'zh'));
  const en = readString(ctx, required(ctx, f, 'en'));
  return zh === undefined || en === undefined ? undefined : { zh, en };
}

/** Reports every value met a second time, naming where it was first seen. */
function checkUnique<T>(ctx: Ctx, items: readonly { at: At; value: T | undefined }[], what: string): void {
  const seen = new Map<T, number>();
  for (const { at, value } of items) {
    if (value === undefined) continue;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, at.line);
    else report(ctx, at, `duplicate ${what} ${JSON.stringify(value)} (first at line ${first})`);
  }
}

function checkRef(ctx: Ctx, at: At | undefined, value: string | undefined, known: ReadonlySet<string>, what: string): void {
  if (!at || value === undefined || known.size === 0 || known.has(value)) return;
  report(ctx, at, `unknown ${what} "${value}"; known: ${[...known].join(', ')}`);
}

// ---------------------------------------------------------------------------------------------

const TOP_LEVEL = [
  'schemaVersion',
  'id',
  'documentNumber',
  'issuer',
  'issuedOn',
  'noticeTitle',
  'title',
  'basis',
  'year',
  'province',
  'city',
  'county',
  'totalPoints',
  'peerGroup',
  'sections',
  'units',
  'supervisionBureau',
  'unitsOfMeasure',
  'indicators',
  'warningTiers',
  'rewards',
  'monthlyReport',
  'leadingGroup',
  'calendar',
  'boards',
] as const;

/**
 * Parses and validates a plan file. Pure: the text in, a `PlanDefinition` out, or a `PlanFileError`
 * with every problem found (`fileName` is only used to name the file in messages).
 */
export function parsePlanFile(text: string, fileName = 'plan.yaml'): PlanDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const ctx: Ctx = { file: fileName, doc, lines, issues: [] };

  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      report(ctx, { line: e.linePos?.[0].line ?? 1, field: '', label: 'YAML syntax' }, e.message.split('\n')[0] ?? e.message);
    }
    throw new PlanFileError(ctx.issues);
  }

  const plan = readPlan(ctx, { node: resolve(ctx, doc.contents), line: lineOf(ctx, doc.contents, 1), field: '', label: 'plan' });
  if (ctx.issues.length > 0 || plan === undefined) {
    const sorted = [...ctx.issues].sort((a, b) => a.line - b.line);
    throw new PlanFileError(sorted.length > 0 ? sorted : [{ file: fileName, line: 1, field: '', reason: 'invalid plan', message: `${fileName} line 1: invalid plan` }]);
  }
  return plan;
}

function readPlan(ctx: Ctx, root: At): PlanDefinition | undefined {
  const f = openMap(ctx, root, TOP_LEVEL);
  if (!f) return undefined;
  const top = (key: string) => required(ctx, f, key);
  // Top-level fields are named by their key alone.
  const rootless = (at: At | undefined): At | undefined => at && { ...at, label: at.field };

  const schemaVersionAt = rootless(top('schemaVersion'));
  const schemaVersion = readNumber(ctx, schemaVersionAt, `${PLAN_SCHEMA_VERSION} (the only schema version this code reads)`, (n) => n === PLAN_SCHEMA_VERSION);
  const id = readId(ctx, rootless(top('id')));
  const documentNumber = readString(ctx, rootless(top('documentNumber')));
  const issuer = readString(ctx, rootless(top('issuer')));
  const issuedOn = readDate(ctx, rootless(top('issuedOn')));
  const noticeTitle = readString(ctx, rootless(f.get('noticeTitle')));
  const title = readString(ctx, rootless(top('title')));
  const basis = readString(ctx, rootless(f.get('basis')));
  const year = readNumber(ctx, rootless(top('year')), 'a year such as 2023', (n) => Number.isInteger(n) && n >= 1900 && n <= 9999);
  const province = readString(ctx, rootless(f.get('province')));
  const city = readString(ctx, rootless(top('city')));
  const countyAt = rootless(top('county'));
  const county = readString(ctx, countyAt);
  const totalPointsAt = rootless(top('totalPoints'));
  const totalPoints = readNumber(ctx, totalPointsAt, 'a positive number', (n) => n > 0);

  const peerGroup = readPeerGroup(ctx, rootless(top('peerGroup')), county, countyAt);
  const sections = readSections(ctx, rootless(top('sections')));
  const units = readUnits(ctx, rootless(top('units')));
  const unitIds = new Set(units?.map((u) => u.id).filter((x): x is string => x !== undefined));
  const supervisionAt = rootless(top('supervisionBureau'));
  const supervisionBureau = readId(ctx, supervisionAt);
  checkRef(ctx, supervisionAt, supervisionBureau, unitIds, 'unit');
  const unitsOfMeasure = readUnitsOfMeasure(ctx, rootless(top('unitsOfMeasure')));

  const indicators = readIndicators(ctx, rootless(top('indicators')), {
    year,
    peerCount: peerGroup?.size,
    sectionIds: new Set(sections?.map((s) => s.id).filter((x): x is number => x !== undefined)),
    unitIds,
    measureIds: new Set(unitsOfMeasure?.map((u) => u.id).filter((x): x is string => x !== undefined)),
  });

  if (totalPointsAt && totalPoints !== undefined && indicators?.allPointsValid) {
    const sum = indicators.list.reduce((s, i) => s + (i.points ?? 0), 0);
    // Points may be fractional; compare at a precision no plan would ever use.
    if (Math.abs(sum - totalPoints) > 1e-9) {
      report(ctx, totalPointsAt, `declared ${totalPoints} but the indicators' points add up to ${Math.round(sum * 1e6) / 1e6}`);
    }
  }

  const warningTiers = readWarningTiers(ctx, rootless(top('warningTiers')), peerGroup?.size);
  const rewards = readRewards(ctx, rootless(top('rewards')), peerGroup?.size);
  const monthlyReport = readMonthlyReport(ctx, rootless(top('monthlyReport')));
  const leadingGroup = readLeadingGroup(ctx, rootless(top('leadingGroup')), unitIds);
  const calendar = readCalendar(ctx, rootless(top('calendar')));
  const boards = readBoards(ctx, rootless(f.get('boards')));

  if (ctx.issues.length > 0) return undefined;
  return {
    schemaVersion: schemaVersion as typeof PLAN_SCHEMA_VERSION,
    id: id!,
    documentNumber: documentNumber!,
    issuer: issuer!,
    issuedOn: issuedOn!,
    ...(noticeTitle !== undefined && { noticeTitle }),
    title: title!,
    ...(basis !== undefined && { basis }),
    year: year!,
    ...(province !== undefined && { province }),
    city: city!,
    county: county!,
    totalPoints: totalPoints!,
    peerGroup: peerGroup as PeerGroup,
    sections: sections as Section[],
    units: units as Unit[],
    supervisionBureau: supervisionBureau!,
    unitsOfMeasure: unitsOfMeasure as UnitOfMeasure[],
    indicators: indicators!.list as Indicator[],
    warningTiers: warningTiers!,
    rewards: rewards!,
    monthlyReport: monthlyReport!,
    leadingGroup: leadingGroup!,
    calendar: calendar!,
    ...(boards !== undefined && { boards }),
  };
}

function readBoards(ctx: Ctx, at: At | undefined): PlanDefinition['boards'] {
  if (!at) return undefined;
  const f = openMap(ctx, at, ['publicInCounty']);
  if (!f) return undefined;
  const flag = f.get('publicInCounty');
  return { publicInCounty: flag ? readBoolean(ctx, flag) === true : false };
}

type Draft<T> = { -readonly [K in keyof T]?: T[K] };

function readPeerGroup(ctx: Ctx, at: At | undefined, county: string | undefined, countyAt: At | undefined): PeerGroup | undefined {
  if (!at) return undefined;
  const f = openMap(ctx, at, ['name', 'size', 'counties']);
  if (!f) return undefined;
  const name = readString(ctx, required(ctx, f, 'name'));
  const sizeAt = required(ctx, f, 'size');
  const size = readNumber(ctx, sizeAt, 'a whole number of counties of at least 2', (n) => Number.isInteger(n) && n >= 2);
  const countiesAt = required(ctx, f, 'counties');
  const items = readSeq(ctx, countiesAt);
  if (!items || !countiesAt) return undefined;

  const counties = items.map((item) => {
    const c = openMap(ctx, item, ['id', 'name', 'ours']);
    if (!c) return { at: item };
    const ours = c.get('ours');
    return {
      at: item,
      id: readId(ctx, required(ctx, c, 'id')),
      name: readString(ctx, required(ctx, c, 'name')),
      ours: ours ? readBoolean(ctx, ours) : false,
    };
  });
  checkUnique(ctx, counties.map((c) => ({ at: c.at, value: c.id })), 'county id');
  checkUnique(ctx, counties.map((c) => ({ at: c.at, value: c.name })), 'county name');

  if (size !== undefined && counties.length !== size) {
    report(ctx, countiesAt, `lists ${counties.length} counties but peerGroup.size is ${size}; every peer must be listed exactly once`);
  }
  const ours = counties.filter((c) => c.ours === true);
  if (ours.length !== 1) {
    report(ctx, countiesAt, `exactly one county must be marked "ours: true" (the plan's own county), found ${ours.length}`);
  } else if (county !== undefined && countyAt && ours[0]!.name !== undefined && ours[0]!.name !== county) {
    report(ctx, countyAt, `"${county}" is not the peer county marked ours ("${ours[0]!.name}")`);
  }
  return {
    name: name!,
    size: size!,
    counties: counties.map((c) => ({ id: c.id!, name: c.name!, ours: c.ours === true })),
  };
}

function readSections(ctx: Ctx, at: At | undefined): Draft<Section>[] | undefined {
  const items = readSeq(ctx, at);
  if (!items) return undefined;
  const sections = items.map((item, i) => {
    const s = openMap(ctx, item, ['id', 'numeral', 'title']);
    if (!s) return { at: item };
    const idAt = required(ctx, s, 'id');
    const id = readNumber(ctx, idAt, 'a positive whole number', positiveInteger);
    if (idAt && id !== undefined && id !== i + 1) report(ctx, idAt, `sections must be numbered 1, 2, 3… in order: expected ${i + 1}, found ${id}`);
    return { at: item, id, numeral: readString(ctx, required(ctx, s, 'numeral')), title: readString(ctx, required(ctx, s, 'title')) };
  });
  checkUnique(ctx, sections.map((s) => ({ at: s.at, value: s.title })), 'section title');
  return sections.map(({ at: _, ...s }) => s);
}

function readUnits(ctx: Ctx, at: At | undefined): Draft<Unit>[] | undefined {
  const items = readSeq(ctx, at);
  if (!items) return undefined;
  const units = items.map((item): Draft<Unit> & { at: At } => {
    const u = openMap(ctx, item, ['id', 'name', 'shortName', 'aliases', 'note', 'sourceNote']);
    if (!u) return { at: item };
    const aliasesAt = u.get('aliases');
    const aliases = aliasesAt ? readSeq(ctx, aliasesAt, { nonEmpty: false })?.map((a) => readString(ctx, a)) : [];
    const note = readOptionalString(ctx, u, 'note');
    const sourceNote = readOptionalString(ctx, u, 'sourceNote');
    return {
      at: item,
      id: readId(ctx, required(ctx, u, 'id')),
      name: readString(ctx, required(ctx, u, 'name')),
      shortName: readString(ctx, required(ctx, u, 'shortName')),
      aliases: aliases?.filter((a): a is string => a !== undefined),
      ...(note !== undefined && { note }),
      ...(sourceNote !== undefined && { sourceNote }),
    };
  });
  checkUnique(ctx, units.map((u) => ({ at: u.at, value: u.id })), 'unit id');
  // Names are how people (and transcribed tables) refer to units, so no spelling may mean two units.
  const spellings = units.flatMap((u) =>
    [...new Set([u.name, u.shortName, ...(u.aliases ?? [])])].filter((s) => s !== undefined).map((value) => ({ at: u.at, value })),
  );
  checkUnique(ctx, spellings, 'unit name');
  return units.map(({ at: _, ...u }) => u);
}

const MEASURE_ID = /^[a-z0-9][a-z0-9/_-]*$/;

function readUnitsOfMeasure(ctx: Ctx, at: At | undefined): Draft<UnitOfMeasure>[] | undefined {
  const items = readSeq(ctx, at);
  if (!items) return undefined;
  const measures = items.map((item) => {
    const m = openMap(ctx, item, ['id', 'symbol', 'zh', 'en']);
    if (!m) return { at: item };
    return {
      at: item,
      id: readId(ctx, required(ctx, m, 'id'), MEASURE_ID),
      symbol: readString(ctx, required(ctx, m, 'symbol'), { allowEmpty: true }),
      zh: readString(ctx, required(ctx, m, 'zh')),
      en: readString(ctx, required(ctx, m, 'en')),
    };
  });
  checkUnique(ctx, measures.map((m) => ({ at: m.at, value: m.id })), 'unit of measure');
  return measures.map(({ at: _, ...m }) => m);
}

interface IndicatorRefs {
  readonly year: number | undefined;
  readonly peerCount: number | undefined;
  readonly sectionIds: ReadonlySet<number>;
  readonly unitIds: ReadonlySet<string>;
  readonly measureIds: ReadonlySet<string>;
}

const INDICATOR_FIELDS = ['no', 'section', 'name', 'alias', 'points', 'units', 'kind', 'unitOfMeasure', 'direction', 'note', 'sourceNote'];

function readIndicators(ctx: Ctx, at: At | undefined, refs: IndicatorRefs): { list: Draft<Indicator>[]; allPointsValid: boolean } | undefined {
  const items = readSeq(ctx, at);
  if (!items) return undefined;
  // The slots are named after the years they hold, so a file cannot carry last year's figures by mistake.
  const baselineKey = refs.year === undefined ? undefined : `baseline${refs.year - 1}`;
  const targetKey = refs.year === undefined ? undefined : `target${refs.year}`;
  // Without a valid year the slot names cannot be checked; the year itself is reported already.
  const isYearSlot = (key: string): boolean => INDICATOR_FIELDS.includes(key) || /^(baseline|target)\d{4}$/.test(key);

  let allPointsValid = true;
  let expectedNo = 1;
  let lastSection: number | undefined;
  const seenNo = new Map<number, number>();
  const list = items.map((item): Draft<Indicator> => {
    const noPair = isMap(item.node) ? (item.node.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === 'no') : undefined;
    const noGuess = isScalar(noPair?.value) && positiveInteger(Number(noPair.value.value)) ? Number(noPair.value.value) : undefined;
    // People know indicators by number; fall back to the list position only when the number is unusable.
    const named: At = { ...item, label: noGuess === undefined ? item.label : `indicator ${noGuess}` };
    const f = openMap(ctx, named, baselineKey === undefined ? isYearSlot : [...INDICATOR_FIELDS, baselineKey, targetKey!]);
    if (!f) {
      allPointsValid = false;
      expectedNo++;
      return {};
    }

    const noAt = required(ctx, f, 'no');
    const no = readNumber(ctx, noAt, 'a positive whole number', positiveInteger);
    if (noAt && no !== undefined) {
      const firstLine = seenNo.get(no);
      if (firstLine !== undefined) {
        report(ctx, noAt, `duplicate indicator number ${no} (first at line ${firstLine})`);
      } else {
        seenNo.set(no, noAt.line);
        const skipped = Array.from({ length: Math.max(0, no - expectedNo) }, (_, k) => expectedNo + k);
        // After an out-of-order number the list may resume where it left off; that is not a second problem.
        if (no < expectedNo || skipped.some((n) => !seenNo.has(n))) {
          const why = no < expectedNo ? 'out of order' : `skips ${skipped.filter((n) => !seenNo.has(n)).join(', ')}`;
          report(ctx, noAt, `indicators must be numbered 1, 2, 3… in order: expected ${expectedNo}, found ${no} (${why})`);
        }
        expectedNo = no + 1;
      }
    } else {
      expectedNo++;
    }

    const sectionAt = required(ctx, f, 'section');
    const section = readNumber(ctx, sectionAt, 'a section id', positiveInteger);
    if (sectionAt && section !== undefined) {
      if (refs.sectionIds.size > 0 && !refs.sectionIds.has(section)) {
        report(ctx, sectionAt, `unknown section ${section}; known: ${[...refs.sectionIds].join(', ')}`);
      } else {
        if (lastSection !== undefined && section < lastSection) {
          report(ctx, sectionAt, `section ${section} comes after section ${lastSection}; indicators must be grouped by section, in section order`);
        }
        lastSection = Math.max(section, lastSection ?? section);
      }
    }

    const name = readString(ctx, required(ctx, f, 'name'));
    const aliasAt = f.get('alias');
    const alias = readString(ctx, aliasAt);
    if (aliasAt && alias !== undefined && alias === name) report(ctx, aliasAt, 'is the same as name; give an alias only where the wording differs');

    const points = readNumber(ctx, required(ctx, f, 'points'), 'a positive number', (n) => n > 0);
    if (points === undefined) allPointsValid = false;

    const unitsAt = required(ctx, f, 'units');
    const unitItems = readSeq(ctx, unitsAt);
    const units = unitItems?.map((u) => {
      const id = readId(ctx, u);
      checkRef(ctx, u, id, refs.unitIds, 'unit');
      return { at: u, value: id };
    });
    if (units) checkUnique(ctx, units, 'unit');

    const kind = readOneOf(ctx, required(ctx, f, 'kind'), INDICATOR_KINDS);
    const measureAt = required(ctx, f, 'unitOfMeasure');
    const unitOfMeasure = readString(ctx, measureAt);
    checkRef(ctx, measureAt, unitOfMeasure, refs.measureIds, 'unit of measure');
    const direction = readOneOf(ctx, required(ctx, f, 'direction'), DIRECTIONS);

    let baseline: Baseline | undefined;
    const baselineAt = baselineKey === undefined ? undefined : required(ctx, f, baselineKey);
    if (baselineAt) {
      const b = openMap(ctx, baselineAt, ['value', 'rank']);
      if (b) {
        const value = readNullableNumber(ctx, required(ctx, b, 'value'), 'a number', () => true);
        const rankMax = refs.peerCount;
        const rank = readNullableNumber(ctx, required(ctx, b, 'rank'), `a rank from 1 to ${rankMax ?? 'the peer group size'}`, (n) =>
          positiveInteger(n) && (rankMax === undefined || n <= rankMax),
        );
        if (value !== undefined && rank !== undefined) baseline = { value, rank };
      }
    }
    const target = targetKey === undefined ? undefined : readNullableNumber(ctx, required(ctx, f, targetKey), 'a number', () => true);

    const note = readOptionalString(ctx, f, 'note');
    const sourceNote = readOptionalString(ctx, f, 'sourceNote');
    return {
      no,
      section,
      name,
      ...(alias !== undefined && { alias }),
      points,
      units: units?.map((u) => u.value).filter((x): x is string => x !== undefined),
      kind,
      unitOfMeasure,
      direction,
      baseline,
      target,
      ...(note !== undefined && { note }),
      ...(sourceNote !== undefined && { sourceNote }),
    };
  });
  return { list, allPointsValid };
}

/** Reports rank ranges that fall outside 1..size and, when `exhaustive`, ranks covered zero or several times. */
function checkRankRanges(
  ctx: Ctx,
  listAt: At,
  ranges: readonly { at: At; fromAt?: At; toAt?: At; from?: number; to?: number; name?: string }[],
  size: number | undefined,
  exhaustive: boolean,
): void {
  const coveredBy = new Map<number, string[]>();
  for (const r of ranges) {
    if (r.from === undefined || r.to === undefined) continue;
    if (r.from > r.to) {
      report(ctx, r.fromAt ?? r.at, `fromRank ${r.from} is after toRank ${r.to}`);
      continue;
    }
    if (size !== undefined && r.to > size) {
      report(ctx, r.toAt ?? r.at, `toRank ${r.to} is beyond the ${size} counties of the peer group`);
    }
    for (let rank = r.from; rank <= r.to; rank++) coveredBy.set(rank, [...(coveredBy.get(rank) ?? []), r.name ?? '?']);
  }
  for (const [rank, names] of [...coveredBy].sort(([a], [b]) => a - b)) {
    if (names.length > 1) report(ctx, listAt, `rank ${rank} is in more than one tier (${names.join(', ')})`);
  }
  if (exhaustive && size !== undefined) {
    const missing = Array.from({ length: size }, (_, i) => i + 1).filter((rank) => !coveredBy.has(rank));
    if (missing.length > 0) {
      const ranks = missing.length === 1 ? `rank ${missing[0]} is` : `ranks ${missing.join(', ')} are`;
      report(ctx, listAt, `${ranks} in no tier; the tiers must cover ranks 1 to ${size} exactly once`);
    }
  }
}

function readWarningTiers(ctx: Ctx, at: At | undefined, size: number | undefined): WarningTier[] | undefined {
  const items = readSeq(ctx, at);
  if (!items || !at) return undefined;
  const tiers = items.map((item) => {
    const t = openMap(ctx, item, ['tier', 'fromRank', 'toRank', 'label']);
    if (!t) return { at: item };
    const fromAt = required(ctx, t, 'fromRank');
    const toAt = required(ctx, t, 'toRank');
    const tier = readOneOf(ctx, required(ctx, t, 'tier'), WARNING_TIERS);
    return {
      at: item,
      fromAt,
      toAt,
      name: tier,
      tier,
      from: readNumber(ctx, fromAt, 'a rank (a positive whole number)', positiveInteger),
      to: readNumber(ctx, toAt, 'a rank (a positive whole number)', positiveInteger),
      label: readLabel(ctx, required(ctx, t, 'label')),
    };
  });
  checkUnique(ctx, tiers.map((t) => ({ at: t.at, value: t.name })), 'warning tier');
  checkRankRanges(ctx, at, tiers, size, true);
  return tiers.map((t) => ({ tier: t.tier!, fromRank: t.from!, toRank: t.to!, label: t.label! }));
}

function readRewards(ctx: Ctx, at: At | undefined, size: number | undefined): Rewards | undefined {
  if (!at) return undefined;
  const f = openMap(ctx, at, ['proposedBy', 'approvedBy', 'note', 'tiers']);
  if (!f) return undefined;
  const proposedBy = readString(ctx, required(ctx, f, 'proposedBy'));
  const approvedBy = readString(ctx, required(ctx, f, 'approvedBy'));
  const note = readOptionalString(ctx, f, 'note');
  const tiersAt = required(ctx, f, 'tiers');
  const items = readSeq(ctx, tiersAt);
  if (!items || !tiersAt) return undefined;
  const tiers = items.map((item) => {
    const t = openMap(ctx, item, ['tier', 'label', 'fromRank', 'toRank', 'consequences']);
    if (!t) return { at: item };
    const fromAt = required(ctx, t, 'fromRank');
    const toAt = required(ctx, t, 'toRank');
    const tier = readId(ctx, required(ctx, t, 'tier'));
    const consequences = readSeq(ctx, required(ctx, t, 'consequences'))?.map((c) => readConsequence(ctx, c));
    return {
      at: item,
      fromAt,
      toAt,
      name: tier,
      from: readNumber(ctx, fromAt, 'a rank (a positive whole number)', positiveInteger),
      to: readNumber(ctx, toAt, 'a rank (a positive whole number)', positiveInteger),
      label: readLabel(ctx, required(ctx, t, 'label')),
      consequences,
    };
  });
  checkUnique(ctx, tiers.map((t) => ({ at: t.at, value: t.name })), 'reward tier');
  checkRankRanges(ctx, tiersAt, tiers, size, false);
  return {
    proposedBy: proposedBy!,
    approvedBy: approvedBy!,
    ...(note !== undefined && { note }),
    tiers: tiers.map((t) => ({ tier: t.name!, label: t.label!, fromRank: t.from!, toRank: t.to!, consequences: t.consequences as Consequence[] })),
  };
}

function readConsequence(ctx: Ctx, at: At): Consequence | undefined {
  const f = openMap(ctx, at, ['kind', 'persons', 'months', 'zh']);
  if (!f) return undefined;
  const kind = readOneOf(ctx, required(ctx, f, 'kind'), CONSEQUENCE_KINDS);
  const zh = readString(ctx, required(ctx, f, 'zh'));
  const persons = () => readSeq(ctx, required(ctx, f, 'persons'))?.map((p) => readOneOf(ctx, p, PROMOTION_PERSONS)!);
  const refuse = (key: string) => {
    const extra = f.get(key);
    if (extra) report(ctx, extra, `does not apply to a "${kind}" consequence`);
  };
  switch (kind) {
    case undefined:
      return undefined;
    case 'commendation-priority':
    case 'public-criticism':
      refuse('persons');
      refuse('months');
      return { kind, zh: zh! };
    case 'recommend-for-promotion':
      refuse('months');
      return { kind, persons: persons()!, zh: zh! };
    case 'pause-promotion':
      return { kind, persons: persons()!, months: readNumber(ctx, required(ctx, f, 'months'), 'a positive whole number of months', positiveInteger)!, zh: zh! };
    case 'working-funds':
      refuse('persons');
      return {
        kind,
        months: readNumber(ctx, required(ctx, f, 'months'), 'a non-zero whole number of months (negative deducts)', (n) => Number.isInteger(n) && n !== 0)!,
        zh: zh!,
      };
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function readMonthlyReport(ctx: Ctx, at: At | undefined): MonthlyReportRule | undefined {
  if (!at) return undefined;
  const f = openMap(ctx, at, [
    'dueBeforeDayOfNextMonth',
    'timeZone',
    'reminderWorkingDaysBefore',
    'signedByHead',
    'stampedByUnit',
    'paperCopies',
    'deliverTo',
    'officeRoom',
    'email',
    'note',
  ]);
  if (!f) return undefined;
  // Day 1 would make the last day fall in the reported month itself; past 28 some months lack the day.
  const due = readNumber(ctx, required(ctx, f, 'dueBeforeDayOfNextMonth'), 'a day of the month from 2 to 28', (n) => Number.isInteger(n) && n >= 2 && n <= 28);
  const tzAt = required(ctx, f, 'timeZone');
  const timeZone = readString(ctx, tzAt);
  if (tzAt && timeZone !== undefined && !isKnownTimeZone(timeZone)) report(ctx, tzAt, `"${timeZone}" is not an IANA time zone`);
  const reminder = readNumber(ctx, required(ctx, f, 'reminderWorkingDaysBefore'), 'a whole number of working days (0 or more)', (n) => Number.isInteger(n) && n >= 0);
  const signedByHead = readBoolean(ctx, required(ctx, f, 'signedByHead'));
  const stampedByUnit = readBoolean(ctx, required(ctx, f, 'stampedByUnit'));
  const paperCopies = readNumber(ctx, required(ctx, f, 'paperCopies'), 'a whole number (0 or more)', (n) => Number.isInteger(n) && n >= 0);
  const deliverTo = readString(ctx, required(ctx, f, 'deliverTo'));
  const officeRoom = readString(ctx, required(ctx, f, 'officeRoom'));
  const emailAt = required(ctx, f, 'email');
  const email = readString(ctx, emailAt);
  if (emailAt && email !== undefined && !EMAIL.test(email)) report(ctx, emailAt, `"${email}" is not an e-mail address`);
  const note = readOptionalString(ctx, f, 'note');
  return {
    dueBeforeDayOfNextMonth: due!,
    timeZone: timeZone!,
    reminderWorkingDaysBefore: reminder!,
    signedByHead: signedByHead!,
    stampedByUnit: stampedByUnit!,
    paperCopies: paperCopies!,
    deliverTo: deliverTo!,
    officeRoom: officeRoom!,
    email: email!,
    ...(note !== undefined && { note }),
  };
}

function readOfficeHolder(ctx: Ctx, at: At | undefined, unitIds: ReadonlySet<string>): OfficeHolder | undefined {
  if (!at) return undefined;
  const f = openMap(ctx, at, ['name', 'title', 'unit']);
  if (!f) return undefined;
  const unitAt = required(ctx, f, 'unit');
  const unit = readId(ctx, unitAt);
  checkRef(ctx, unitAt, unit, unitIds, 'unit');
  return { name: readString(ctx, required(ctx, f, 'name'))!, title: readString(ctx, required(ctx, f, 'title'))!, unit: unit! };
}

function readLeadingGroup(ctx: Ctx, at: At | undefined, unitIds: ReadonlySet<string>): LeadingGroup | undefined {
  if (!at) return undefined;
  const f = openMap(ctx, at, ['name', 'members', 'memberUnits', 'substitutionRule', 'office']);
  if (!f) return undefined;
  const name = readString(ctx, required(ctx, f, 'name'));
  const membersAt = required(ctx, f, 'members');
  const members = readSeq(ctx, membersAt)?.map((item): Draft<LeadingGroupMember> => {
    const m = openMap(ctx, item, ['role', 'roleZh', 'name', 'title']);
    if (!m) return {};
    return {
      role: readId(ctx, required(ctx, m, 'role')),
      roleZh: readString(ctx, required(ctx, m, 'roleZh')),
      name: readString(ctx, required(ctx, m, 'name')),
      title: readString(ctx, required(ctx, m, 'title')),
    };
  });
  if (members && membersAt) {
    const leaders = members.filter((m) => m.role === 'leader').length;
    if (leaders !== 1) report(ctx, membersAt, `exactly one member must have role "leader" (组长), found ${leaders}`);
  }
  const memberUnits = readOptionalString(ctx, f, 'memberUnits');
  const substitutionRule = readOptionalString(ctx, f, 'substitutionRule');

  const officeAt = required(ctx, f, 'office');
  let office: LeadingGroup['office'] | undefined;
  const o = officeAt && openMap(ctx, officeAt, ['name', 'hostUnit', 'duties', 'director', 'deputyDirectors']);
  if (o) {
    const hostAt = required(ctx, o, 'hostUnit');
    const hostUnit = readId(ctx, hostAt);
    checkRef(ctx, hostAt, hostUnit, unitIds, 'unit');
    const duties = readOptionalString(ctx, o, 'duties');
    const deputiesAt = o.get('deputyDirectors');
    office = {
      name: readString(ctx, required(ctx, o, 'name'))!,
      hostUnit: hostUnit!,
      ...(duties !== undefined && { duties }),
      director: readOfficeHolder(ctx, required(ctx, o, 'director'), unitIds)!,
      deputyDirectors: deputiesAt ? (readSeq(ctx, deputiesAt, { nonEmpty: false })?.map((d) => readOfficeHolder(ctx, d, unitIds)!) ?? []) : [],
    };
  }
  return {
    name: name!,
    members: members as LeadingGroupMember[],
    ...(memberUnits !== undefined && { memberUnits }),
    ...(substitutionRule !== undefined && { substitutionRule }),
    office: office!,
  };
}

function readCalendar(ctx: Ctx, at: At | undefined): WorkingCalendar | undefined {
  if (!at) return undefined;
  const f = openMap(ctx, at, ['covers', 'weekendDays', 'holidays', 'workingWeekendDays']);
  if (!f) return undefined;

  const coversAt = required(ctx, f, 'covers');
  const c = coversAt && openMap(ctx, coversAt, ['from', 'to']);
  const from = c ? readDate(ctx, required(ctx, c, 'from')) : undefined;
  const to = c ? readDate(ctx, required(ctx, c, 'to')) : undefined;
  if (coversAt && from !== undefined && to !== undefined && from > to) report(ctx, coversAt, `from ${from} is after to ${to}`);
  const covered = (d: IsoDate) => from === undefined || to === undefined || (from <= d && d <= to);

  const weekendAt = required(ctx, f, 'weekendDays');
  const weekendItems = readSeq(ctx, weekendAt, { nonEmpty: false });
  const weekendDays = weekendItems?.map((w) => readNumber(ctx, w, 'an ISO weekday from 1 (Monday) to 7 (Sunday)', (n) => Number.isInteger(n) && n >= 1 && n <= 7) as IsoWeekday);
  if (weekendItems) checkUnique(ctx, weekendItems.map((w, i) => ({ at: w, value: weekendDays?.[i] })), 'weekend day');

  const holidays = readSeq(ctx, required(ctx, f, 'holidays'), { nonEmpty: false })?.map((item) => {
    const h = openMap(ctx, item, ['name', 'from', 'to']);
    if (!h) return { at: item };
    const fromAt = required(ctx, h, 'from');
    const toAt = required(ctx, h, 'to');
    const hf = readDate(ctx, fromAt);
    const ht = readDate(ctx, toAt);
    if (fromAt && hf !== undefined && ht !== undefined && hf > ht) report(ctx, fromAt, `${hf} is after to ${ht}`);
    for (const [a, d] of [[fromAt, hf], [toAt, ht]] as const) {
      if (a && d !== undefined && !covered(d)) report(ctx, a, `${d} is outside calendar.covers (${from} to ${to})`);
    }
    return { at: item, name: readString(ctx, required(ctx, h, 'name')), from: hf, to: ht };
  });

  const working = readSeq(ctx, required(ctx, f, 'workingWeekendDays'), { nonEmpty: false })?.map((item) => {
    const w = openMap(ctx, item, ['date', 'holiday']);
    if (!w) return { at: item };
    const dateAt = required(ctx, w, 'date');
    const date = readDate(ctx, dateAt);
    const holiday = readString(ctx, required(ctx, w, 'holiday'));
    if (dateAt && date !== undefined) {
      if (!covered(date)) report(ctx, dateAt, `${date} is outside calendar.covers (${from} to ${to})`);
      const weekday = isoWeekday(date);
      if (weekendDays && !weekendDays.includes(weekday)) report(ctx, dateAt, `${date} is not a weekend day, so it cannot be an exchanged working day`);
      const clash = holidays?.find((h) => h.from !== undefined && h.to !== undefined && h.from <= date && date <= h.to);
      if (clash) report(ctx, dateAt, `${date} is also inside the holiday ${clash.name ?? ''} (line ${clash.at.line})`);
    }
    return { at: item, date, holiday };
  });
  if (working) checkUnique(ctx, working.map((w) => ({ at: w.at, value: w.date })), 'working weekend day');

  return {
    covers: { from: from!, to: to! },
    weekendDays: weekendDays!,
    holidays: (holidays ?? []).map((h): Holiday => ({ name: h.name!, from: h.from!, to: h.to! })),
    workingWeekendDays: (working ?? []).map((w): WorkingWeekendDay => ({ date: w.date!, holiday: w.holiday! })),
  };
}
