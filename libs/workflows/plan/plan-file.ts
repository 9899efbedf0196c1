/**
 * A performance plan as data: one county, one year, one peer group (see docs/domain.md). Next year's
 * plan or another county's is a new YAML file, never new code, so nothing here knows about any
 * particular county; every fact comes from the file and every cross-reference is checked.
 *
 * The file's shape is a JSON Schema (plan.schema.ts, published as plans/plan.schema.json for
 * editors); what a schema cannot say (references, the points' sum, numbering) is checked below.
 * `parsePlanFile` refuses a file with a `PlanFileError` listing every problem found, each naming the
 * line and the field.
 */
import { builtinCalendars, workingCalendarOf, type CalendarYear } from './calendars.js';
import { PLAN_SCHEMA } from './plan.schema.js';
import { isKnownTimeZone, type HolidayPolicy, type IsoDate, type WorkingCalendar } from './working-calendar.js';
import { Issues, type Path } from './yaml-schema.js';

export type { IsoDate, IsoWeekday, WorkingCalendar, Holiday, WorkingWeekendDay, HolidayPolicy } from './working-calendar.js';
export { PlanFileError, type PlanFileIssue } from './yaml-schema.js';

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

/**
 * How a unit's indicators' tiers make its one consequence (四(五) speaks of 指标单位: the unit). A
 * unit whose ranked indicators are all in one tier gets that tier once; under `conflicts-by-hand`
 * any other mix with a tier in it (first and third, first and untiered, …) is a conflict the office
 * decides with a reason. A new way of combining is a new value here and a case in the decider.
 */
export const TIER_COMBINATIONS = ['conflicts-by-hand'] as const;
export type TierCombination = (typeof TIER_COMBINATIONS)[number];
export const DEFAULT_TIER_COMBINATION: TierCombination = 'conflicts-by-hand';

export interface Rewards {
  readonly proposedBy: string;
  readonly approvedBy: string;
  readonly note?: string;
  /** Ranks in no tier carry no reward or penalty. */
  readonly tiers: readonly RewardTier[];
  /** Absent: `conflicts-by-hand`. */
  readonly combination?: TierCombination;
}

export interface MonthlyReportRule {
  /** Due before this day of the following month, i.e. by the end of the day before, local time. */
  readonly dueBeforeDayOfNextMonth: number;
  /** When that last day is a public holiday or a weekend not worked in exchange; parsed plans always state it (`stays` by default). */
  readonly holidayPolicy?: HolidayPolicy;
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

/** How long each step of a supervision case (督查) may take, in working days of the calendar. */
export interface SupervisionDeadlines {
  readonly acknowledgeWorkingDays: number;
  readonly planWorkingDays: number;
  readonly reviewWorkingDays: number;
  readonly resubmitWorkingDays: number;
  readonly reminderWorkingDaysBefore: number;
  /** Local hour of the reminder on its day. */
  readonly reminderLocalHour: number;
}

/**
 * The bureau's working defaults since 2023, for a plan file that sets none: the seed gives no
 * numbers ("及时", promptly).
 */
export const DEFAULT_SUPERVISION_DEADLINES: SupervisionDeadlines = {
  acknowledgeWorkingDays: 3,
  planWorkingDays: 10,
  reviewWorkingDays: 5,
  resubmitWorkingDays: 5,
  reminderWorkingDaysBefore: 1,
  reminderLocalHour: 9,
};

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
  /** From plans/calendars/<year>.yaml, every year there is a file for (calendars.ts). */
  readonly calendar: WorkingCalendar;
  /** Parsed plans always carry it (DEFAULT_SUPERVISION_DEADLINES when the file sets none). */
  readonly supervisionDeadlines?: SupervisionDeadlines;
  /**
   * Who reads the compliance and supervision boards. Absent or `publicInCounty: false`: a unit's
   * people read their own unit's rows only; `true`: every signed-in user of the county reads all.
   */
  readonly boards?: { readonly publicInCounty: boolean };
  /** The official documents (公文) Jixiao issues: who issues which kind, and each body's numbering per year. Absent: none are issued. */
  readonly documents?: DocumentsConfig;
}

/** The kinds of official document (公文) Jixiao renders (libs/workflows/documents). */
export const DOCUMENT_KINDS = ['quarterly-notice', 'supervision-notice', 'talk-notice', 'reward-proposal', 'reward-decision', 'monthly-report'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * One issuing body's numbering (发文字号): `prefix〔year〕n号`, n counting from `years[].first` (1
 * by default) in each year, never reused. A year not listed cannot be numbered: the office adds it
 * (with the first number, when paper documents were issued earlier that year).
 */
export interface DocumentSeries {
  readonly id: string;
  /** 发文机关标志 printed red at the top, e.g. 叶县人民政府办公室文件. */
  readonly header: string;
  /** 发文机关署名 above the date, e.g. 叶县人民政府办公室. */
  readonly issuer: string;
  /** 机关代字, e.g. 叶政办. */
  readonly prefix: string;
  /** 印发机关 of the imprint (版记) when not documents.printedBy. */
  readonly printedBy?: string;
  readonly kinds: readonly DocumentKind[];
  readonly years: readonly { readonly year: number; readonly first?: number }[];
}

export interface DocumentsConfig {
  readonly series: readonly DocumentSeries[];
  /** 印发机关 of the 版记 (imprint), e.g. 叶县人民政府办公室. */
  readonly printedBy?: string;
}

export interface ParseOptions {
  /** The working calendar's years; the shipped plans/calendars/*.yaml when absent. */
  readonly calendars?: readonly CalendarYear[];
}

/**
 * Parses and validates a plan file: the text in, a `PlanDefinition` out, or a `PlanFileError` with
 * every problem found (`fileName` is only used to name the file in messages). The working calendar
 * comes from `options.calendars`, by default the shipped calendar files (read once).
 */
export function parsePlanFile(text: string, fileName = 'plan.yaml', options: ParseOptions = {}): PlanDefinition {
  const { issues, value } = Issues.parse(text, fileName, (path, item) =>
    // People know indicators by number; fall back to the list position only when the number is unusable.
    path.length === 2 && path[0] === 'indicators' && isPositiveInteger((item as { no?: unknown } | null)?.no) ? `indicator ${(item as { no: number }).no}` : undefined,
  );
  issues.validate(PLAN_SCHEMA, value);
  const file = (value ?? {}) as PlanFile;
  const calendars = options.calendars ?? builtinCalendars();
  checkPlan(issues, file, calendars);
  issues.throwIfAny();
  return toDefinition(file, calendars);
}

/** The file as the schema lets it through: a PlanDefinition with the year-named slots and defaults still to resolve. */
type PlanFile = Omit<PlanDefinition, 'indicators' | 'calendar' | 'units' | 'peerGroup' | 'leadingGroup'> & {
  indicators: (Omit<Indicator, 'baseline' | 'target'> & Record<string, unknown>)[];
  units: (Omit<Unit, 'aliases'> & { aliases?: string[] })[];
  peerGroup: Omit<PeerGroup, 'counties'> & { counties: (Omit<PeerCounty, 'ours'> & { ours?: boolean })[] };
  leadingGroup: Omit<LeadingGroup, 'office'> & { office: Omit<LeadingGroup['office'], 'deputyDirectors'> & { deputyDirectors?: OfficeHolder[] } };
};

function toDefinition(file: PlanFile, calendars: readonly CalendarYear[]): PlanDefinition {
  const { indicators, units, peerGroup, leadingGroup, monthlyReport, supervisionDeadlines, ...rest } = file;
  return {
    ...rest,
    peerGroup: { ...peerGroup, counties: peerGroup.counties.map((c) => ({ ...c, ours: c.ours === true })) },
    units: units.map((u) => ({ ...u, aliases: u.aliases ?? [] })),
    indicators: indicators.map((i): Indicator => {
      const { [`baseline${file.year - 1}`]: baseline, [`target${file.year}`]: target, ...fields } = i;
      return { ...(fields as Omit<Indicator, 'baseline' | 'target'>), baseline: baseline as Baseline, target: target as number | null };
    }),
    monthlyReport: { ...monthlyReport, holidayPolicy: monthlyReport.holidayPolicy ?? 'stays' },
    leadingGroup: { ...leadingGroup, office: { ...leadingGroup.office, deputyDirectors: leadingGroup.office.deputyDirectors ?? [] } },
    calendar: workingCalendarOf(calendars),
    supervisionDeadlines: supervisionDeadlines ?? DEFAULT_SUPERVISION_DEADLINES,
  };
}

// ---------------------------------------------------------------------------------------------
// What a schema cannot say. Each check reads defensively: the schema's own complaints are already
// in `issues`, and a value of the wrong type is skipped here rather than reported twice.

const isPositiveInteger = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
const listOf = <T>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
const objectOf = <T>(x: unknown): Partial<T> => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Partial<T>) : {});

function checkPlan(issues: Issues, plan: Partial<PlanFile>, calendars: readonly CalendarYear[]): void {
  checkDocuments(issues, objectOf<DocumentsConfig>(plan.documents));
  const peerGroup = objectOf<PlanFile['peerGroup']>(plan.peerGroup);
  const size = isPositiveInteger(peerGroup.size) ? peerGroup.size : undefined;
  checkPeerGroup(issues, peerGroup, plan.county);

  const sections = listOf<Partial<Section>>(plan.sections);
  sections.forEach((s, i) => {
    if (isPositiveInteger(s.id) && s.id !== i + 1) issues.report(['sections', i, 'id'], `sections must be numbered 1, 2, 3… in order: expected ${i + 1}, found ${s.id}`);
  });
  checkUnique(
    issues,
    ['sections'],
    sections.map((s) => s.title),
    'section title',
  );

  const units = listOf<Partial<PlanFile['units'][number]>>(plan.units);
  checkUnique(
    issues,
    ['units'],
    units.map((u) => u.id),
    'unit id',
  );
  // Names are how people (and transcribed tables) refer to units, so no spelling may mean two units.
  const spellings = units.map((u) => [...new Set([u.name, u.shortName, ...listOf<string>(u.aliases)])]);
  checkUnique(issues, ['units'], spellings, 'unit name');
  const unitIds = new Set(units.map((u) => u.id).filter((x) => typeof x === 'string'));
  const checkUnit = (path: Path, id: unknown) => checkRef(issues, path, id, unitIds, 'unit');
  checkUnit(['supervisionBureau'], plan.supervisionBureau);

  const measures = listOf<Partial<UnitOfMeasure>>(plan.unitsOfMeasure);
  checkUnique(
    issues,
    ['unitsOfMeasure'],
    measures.map((m) => m.id),
    'unit of measure',
  );

  checkIndicators(issues, plan, { size, unitIds, sectionIds: new Set(sections.map((s) => s.id)), measureIds: new Set(measures.map((m) => m.id)) });

  const tiers = listOf<Partial<WarningTier>>(plan.warningTiers);
  checkUnique(
    issues,
    ['warningTiers'],
    tiers.map((t) => t.tier),
    'warning tier',
  );
  checkRankRanges(
    issues,
    ['warningTiers'],
    tiers.map((t) => ({ name: t.tier, from: t.fromRank, to: t.toRank })),
    size,
    true,
  );
  const rewardTiers = listOf<Partial<RewardTier>>(objectOf<Rewards>(plan.rewards).tiers);
  checkUnique(
    issues,
    ['rewards', 'tiers'],
    rewardTiers.map((t) => t.tier),
    'reward tier',
  );
  checkRankRanges(
    issues,
    ['rewards', 'tiers'],
    rewardTiers.map((t) => ({ name: t.tier, from: t.fromRank, to: t.toRank })),
    size,
    false,
  );

  const timeZone = objectOf<MonthlyReportRule>(plan.monthlyReport).timeZone;
  if (typeof timeZone === 'string' && timeZone !== '' && !isKnownTimeZone(timeZone)) issues.report(['monthlyReport', 'timeZone'], `"${timeZone}" is not an IANA time zone`);

  const group = objectOf<PlanFile['leadingGroup']>(plan.leadingGroup);
  const members = listOf<Partial<LeadingGroupMember>>(group.members);
  const leaders = members.filter((m) => m.role === 'leader').length;
  if (Array.isArray(group.members) && leaders !== 1) issues.report(['leadingGroup', 'members'], `exactly one member must have role "leader" (组长), found ${leaders}`);
  const office = objectOf<PlanFile['leadingGroup']['office']>(group.office);
  checkUnit(['leadingGroup', 'office', 'hostUnit'], office.hostUnit);
  checkUnit(['leadingGroup', 'office', 'director', 'unit'], objectOf<OfficeHolder>(office.director).unit);
  listOf<Partial<OfficeHolder>>(office.deputyDirectors).forEach((d, i) => checkUnit(['leadingGroup', 'office', 'deputyDirectors', i, 'unit'], d?.unit));

  // The plan's own year must be in the calendar; later years (the December report is due in January)
  // are asked for only when a date falls in them, since their notice may not be out yet.
  if (isPositiveInteger(plan.year) && !calendars.some((c) => c.year === plan.year)) {
    issues.report(
      ['year'],
      `there is no working calendar for ${plan.year}: add plans/calendars/${plan.year}.yaml from the State Council's notice on ${plan.year}'s public holidays`,
    );
  }
  try {
    if (calendars.length > 0) workingCalendarOf(calendars);
  } catch (e) {
    issues.report(['year'], (e as Error).message);
  }
}

function checkPeerGroup(issues: Issues, group: Partial<PlanFile['peerGroup']>, county: unknown): void {
  if (!Array.isArray(group.counties)) return;
  const counties = listOf<Partial<PeerCounty>>(group.counties);
  const at = ['peerGroup', 'counties'];
  checkUnique(
    issues,
    at,
    counties.map((c) => c.id),
    'county id',
  );
  checkUnique(
    issues,
    at,
    counties.map((c) => c.name),
    'county name',
  );
  if (isPositiveInteger(group.size) && counties.length !== group.size) {
    issues.report(at, `lists ${counties.length} counties but peerGroup.size is ${group.size}; every peer must be listed exactly once`);
  }
  const ours = counties.filter((c) => c.ours === true);
  if (ours.length !== 1) {
    issues.report(at, `exactly one county must be marked "ours: true" (the plan's own county), found ${ours.length}`);
  } else if (typeof county === 'string' && typeof ours[0]!.name === 'string' && ours[0]!.name !== county) {
    issues.report(['county'], `"${county}" is not the peer county marked ours ("${ours[0]!.name}")`);
  }
}

interface IndicatorRefs {
  readonly size: number | undefined;
  readonly sectionIds: ReadonlySet<unknown>;
  readonly unitIds: ReadonlySet<unknown>;
  readonly measureIds: ReadonlySet<unknown>;
}

function checkIndicators(issues: Issues, plan: Partial<PlanFile>, refs: IndicatorRefs): void {
  const indicators = listOf<Record<string, unknown>>(plan.indicators).map((i) => objectOf<Record<string, unknown>>(i));
  // The slots are named after the years they hold, so a file cannot carry last year's figures by mistake.
  const year = isPositiveInteger(plan.year) ? plan.year : undefined;
  const slots = year === undefined ? [] : [`baseline${year - 1}`, `target${year}`];

  let expectedNo = 1;
  let lastSection: number | undefined;
  const seenNo = new Map<number, number>();
  let allPointsValid = Array.isArray(plan.indicators);
  indicators.forEach((ind, i) => {
    const at = (...rest: (string | number)[]): Path => ['indicators', i, ...rest];
    const no = ind['no'];
    if (isPositiveInteger(no)) {
      const first = seenNo.get(no);
      if (first !== undefined) {
        issues.report(at('no'), `duplicate indicator number ${no} (first at line ${issues.lineOf(['indicators', first, 'no'])})`);
      } else {
        seenNo.set(no, i);
        const skipped = Array.from({ length: Math.max(0, no - expectedNo) }, (_, k) => expectedNo + k).filter((n) => !seenNo.has(n));
        // After an out-of-order number the list may resume where it left off; that is not a second problem.
        if (no < expectedNo || skipped.length > 0) {
          const why = no < expectedNo ? 'out of order' : `skips ${skipped.join(', ')}`;
          issues.report(at('no'), `indicators must be numbered 1, 2, 3… in order: expected ${expectedNo}, found ${no} (${why})`);
        }
        expectedNo = no + 1;
      }
    } else {
      expectedNo++;
    }

    const section = ind['section'];
    if (isPositiveInteger(section)) {
      if (refs.sectionIds.size > 0 && !refs.sectionIds.has(section)) {
        issues.report(at('section'), `unknown section ${section}; known: ${[...refs.sectionIds].join(', ')}`);
      } else {
        if (lastSection !== undefined && section < lastSection) {
          issues.report(at('section'), `section ${section} comes after section ${lastSection}; indicators must be grouped by section, in section order`);
        }
        lastSection = Math.max(section, lastSection ?? section);
      }
    }

    if (typeof ind['alias'] === 'string' && ind['alias'] === ind['name']) issues.report(at('alias'), 'is the same as name; give an alias only where the wording differs');
    if (!(typeof ind['points'] === 'number' && ind['points'] > 0)) allPointsValid = false;

    const units = listOf<unknown>(ind['units']);
    units.forEach((u, k) => checkRef(issues, at('units', k), u, refs.unitIds, 'unit'));
    checkUnique(issues, at('units'), units, 'unit');
    checkRef(issues, at('unitOfMeasure'), ind['unitOfMeasure'], refs.measureIds, 'unit of measure');

    if (year !== undefined) {
      for (const slot of slots) if (!(slot in ind)) issues.report(at(slot), `missing required field "${slot}"`, { missing: true });
      for (const key of Object.keys(ind)) {
        if (/^(baseline|target)\d{4}$/.test(key) && !slots.includes(key)) {
          issues.report(at(key), `unknown field "${key}"; expected one of: ${[...INDICATOR_FIELDS, ...slots].join(', ')}`);
        }
      }
      const rank = objectOf<Baseline>(ind[slots[0]!]).rank;
      if (refs.size !== undefined && isPositiveInteger(rank) && rank > refs.size) {
        issues.report(at(slots[0]!, 'rank'), `must be a rank from 1 to ${refs.size} or null, got ${rank}`);
      }
    }
  });

  const declared = plan.totalPoints;
  if (allPointsValid && typeof declared === 'number' && declared > 0) {
    const sum = indicators.reduce((s, i) => s + (i['points'] as number), 0);
    // Points may be fractional; compare at a precision no plan would ever use.
    if (Math.abs(sum - declared) > 1e-9) {
      issues.report(['totalPoints'], `declared ${declared} but the indicators' points add up to ${Math.round(sum * 1e6) / 1e6}`);
    }
  }
}

const INDICATOR_FIELDS = Object.keys((PLAN_SCHEMA as unknown as { properties: { indicators: { items: { properties: object } } } }).properties.indicators.items.properties);

/** Reports every value met a second time in the list at `listPath`, naming where it was first seen. */
function checkUnique(issues: Issues, listPath: Path, values: readonly unknown[], what: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    // A unit's spellings come as a list: each may appear in one unit only.
    for (const value of Array.isArray(v) ? v : [v]) {
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      const key = JSON.stringify(value);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else if (first !== i) issues.report([...listPath, i], `duplicate ${what} ${key} (first at line ${issues.lineOf([...listPath, first])})`);
    }
  });
}

function checkRef(issues: Issues, path: Path, value: unknown, known: ReadonlySet<unknown>, what: string): void {
  if (typeof value !== 'string' || known.size === 0 || known.has(value)) return;
  issues.report(path, `unknown ${what} "${value}"; known: ${[...known].join(', ')}`);
}

/** Reports rank ranges that fall outside 1..size and, when `exhaustive`, ranks covered zero or several times. */
function checkRankRanges(issues: Issues, listPath: Path, ranges: readonly { name?: unknown; from?: unknown; to?: unknown }[], size: number | undefined, exhaustive: boolean): void {
  const coveredBy = new Map<number, string[]>();
  ranges.forEach((r, i) => {
    if (!isPositiveInteger(r.from) || !isPositiveInteger(r.to)) return;
    if (r.from > r.to) return issues.report([...listPath, i, 'fromRank'], `fromRank ${r.from} is after toRank ${r.to}`);
    if (size !== undefined && r.to > size) issues.report([...listPath, i, 'toRank'], `toRank ${r.to} is beyond the ${size} counties of the peer group`);
    for (let rank = r.from; rank <= r.to; rank++) coveredBy.set(rank, [...(coveredBy.get(rank) ?? []), String(r.name ?? '?')]);
  });
  for (const [rank, names] of [...coveredBy].sort(([a], [b]) => a - b)) {
    if (names.length > 1) issues.report(listPath, `rank ${rank} is in more than one tier (${names.join(', ')})`);
  }
  if (exhaustive && size !== undefined && ranges.length > 0) {
    const missing = Array.from({ length: size }, (_, i) => i + 1).filter((rank) => !coveredBy.has(rank));
    if (missing.length > 0) {
      const ranks = missing.length === 1 ? `rank ${missing[0]} is` : `ranks ${missing.join(', ')} are`;
      issues.report(listPath, `${ranks} in no tier; the tiers must cover ranks 1 to ${size} exactly once`);
    }
  }
}

/** A kind is numbered by one body only (else the number a document gets would depend on list order); series ids and years unique. */
function checkDocuments(issues: Issues, documents: Partial<DocumentsConfig>): void {
  const series = listOf<Partial<DocumentSeries>>(documents.series);
  checkUnique(
    issues,
    ['documents', 'series'],
    series.map((s) => s?.id),
    'document series id',
  );
  const seen = new Map<unknown, string>();
  series.forEach((s, i) => {
    listOf<unknown>(s?.kinds).forEach((k, j) => {
      const other = seen.get(k);
      if (other !== undefined) issues.report(['documents', 'series', i, 'kinds', j], `${String(k)} is numbered by series ${other} already: a kind belongs to one series`);
      else seen.set(k, String(s?.id));
    });
    checkUnique(
      issues,
      ['documents', 'series', i, 'years'],
      listOf<{ year?: unknown }>(s?.years).map((y) => y?.year),
      'year',
    );
  });
}
