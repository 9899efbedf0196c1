/**
 * The shape of a plan file and of a calendar file, as JSON Schema (draft-07, which editors'
 * yaml-language-server reads). Published as plans/plan.schema.json and plans/calendar.schema.json
 * (a unit test keeps them equal to these) so an editor checks a file while it is being written;
 * parsePlanFile and parseCalendarFile validate with these very objects.
 *
 * `errorMessage` is what both ajv's reports (see yaml-schema.ts) and editors say when a value does
 * not fit. Checks across fields (references, sums, numbering) are code: see plan-file.ts.
 */

const DRAFT = 'http://json-schema.org/draft-07/schema#';

const text = { type: 'string', minLength: 1, errorMessage: 'must be non-empty text' };
const id = { type: 'string', pattern: '^[a-z][a-z0-9-]*$', errorMessage: 'must be an id: lower-case ASCII letters, digits and "-", starting with a letter' };
const date = { type: 'string', format: 'date', errorMessage: 'must be a date written YYYY-MM-DD' };
const positiveInteger = { type: 'integer', minimum: 1, errorMessage: 'must be a positive whole number' };
const rank = { type: 'integer', minimum: 1, errorMessage: 'must be a rank (a positive whole number)' };
const workingDays = (what: string) => ({ type: 'integer', minimum: 1, errorMessage: 'must be a positive whole number of working days', description: what });

/** A closed mapping: every key known, the listed ones required. */
function object(properties: Record<string, object>, required: readonly string[] = Object.keys(properties), extra: object = {}): object {
  return { type: 'object', properties, required, additionalProperties: false, ...extra };
}

const label = object({ zh: text, en: text });
const officeHolder = object({ name: text, title: text, unit: { ...id, description: 'a units[].id' } });

const consequence = (kind: string, extra: Record<string, object>) =>
  object({ kind: { type: 'string', const: kind }, ...extra, zh: { ...text, description: "the source's words" } });
const persons = { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['head', 'deputy'] } };

export const PLAN_SCHEMA = {
  $schema: DRAFT,
  title: 'Jixiao performance plan',
  description: 'One county, one year, one peer group (docs/domain.md). Cross-field rules (references, point sums, numbering) are checked by libs/workflows/plan/plan-file.ts.',
  ...object(
    {
      schemaVersion: { type: 'integer', const: 1, errorMessage: 'must be 1 (the only schema version this code reads)' },
      id,
      documentNumber: text,
      issuer: text,
      issuedOn: date,
      noticeTitle: text,
      title: text,
      basis: text,
      year: { type: 'integer', minimum: 1900, maximum: 9999, errorMessage: 'must be a year such as 2023' },
      province: text,
      city: text,
      county: { ...text, description: 'the name of the peer county marked ours' },
      totalPoints: { type: 'number', exclusiveMinimum: 0, errorMessage: 'must be a positive number', description: "the sum of the indicators' points" },
      peerGroup: object({
        name: text,
        size: { type: 'integer', minimum: 2, errorMessage: 'must be a whole number of counties of at least 2' },
        counties: { type: 'array', minItems: 1, items: object({ id, name: text, ours: { type: 'boolean' } }, ['id', 'name']) },
      }),
      sections: { type: 'array', minItems: 1, items: object({ id: positiveInteger, numeral: text, title: text }) },
      units: {
        type: 'array',
        minItems: 1,
        items: object({ id, name: text, shortName: text, aliases: { type: 'array', items: text }, note: text, sourceNote: text }, ['id', 'name', 'shortName']),
      },
      supervisionBureau: { ...id, description: 'a units[].id' },
      unitsOfMeasure: {
        type: 'array',
        minItems: 1,
        items: object({
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9/_-]*$', errorMessage: 'must be an id: lower-case ASCII letters, digits and "/", "_" or "-"' },
          symbol: { type: 'string', description: 'as printed after a value; may be empty' },
          zh: text,
          en: text,
        }),
      },
      indicators: {
        type: 'array',
        minItems: 1,
        items: object(
          {
            no: positiveInteger,
            section: { type: 'integer', minimum: 1, errorMessage: 'must be a section id' },
            name: text,
            alias: text,
            points: { type: 'number', exclusiveMinimum: 0, errorMessage: 'must be a positive number' },
            units: { type: 'array', minItems: 1, items: { ...id, description: 'a units[].id' } },
            kind: { type: 'string', enum: ['ranked', 'task'] },
            unitOfMeasure: { ...text, description: 'a unitsOfMeasure[].id' },
            direction: { type: 'string', enum: ['higher-is-better', 'lower-is-better'] },
            note: text,
            sourceNote: text,
          },
          ['no', 'section', 'name', 'points', 'units', 'kind', 'unitOfMeasure', 'direction'],
          {
            description: "Also baseline<year-1> and target<year>, named after the plan's year (e.g. baseline2022, target2023).",
            patternProperties: {
              '^baseline\\d{4}$': object({
                value: { type: ['number', 'null'], errorMessage: 'must be a number or null' },
                rank: { type: ['integer', 'null'], minimum: 1, errorMessage: 'must be a rank (a positive whole number) or null' },
              }),
              '^target\\d{4}$': { type: ['number', 'null'], errorMessage: 'must be a number or null' },
            },
          },
        ),
      },
      warningTiers: {
        type: 'array',
        minItems: 1,
        items: object({ tier: { type: 'string', enum: ['green', 'yellow', 'red'] }, fromRank: rank, toRank: rank, label }),
      },
      rewards: object(
        {
          proposedBy: text,
          approvedBy: text,
          note: text,
          tiers: {
            type: 'array',
            minItems: 1,
            items: object({
              tier: id,
              label,
              fromRank: rank,
              toRank: rank,
              consequences: {
                type: 'array',
                minItems: 1,
                items: {
                  type: 'object',
                  properties: { kind: { type: 'string', enum: ['commendation-priority', 'recommend-for-promotion', 'public-criticism', 'pause-promotion', 'working-funds'] } },
                  required: ['kind'],
                  discriminator: { propertyName: 'kind' },
                  oneOf: [
                    consequence('commendation-priority', {}),
                    consequence('recommend-for-promotion', { persons }),
                    consequence('public-criticism', {}),
                    consequence('pause-promotion', {
                      persons,
                      months: { type: 'integer', minimum: 1, errorMessage: 'must be a positive whole number of months' },
                    }),
                    consequence('working-funds', {
                      months: { type: 'integer', not: { const: 0 }, errorMessage: 'must be a non-zero whole number of months (negative deducts)' },
                    }),
                  ],
                },
              },
            }),
          },
          combination: {
            type: 'string',
            enum: ['conflicts-by-hand'],
            errorMessage: 'must be conflicts-by-hand (the only way of combining tiers this code knows)',
            description: "How a unit's indicators' tiers make its one consequence; absent means conflicts-by-hand",
          },
        },
        ['proposedBy', 'approvedBy', 'tiers'],
      ),
      monthlyReport: object(
        {
          dueBeforeDayOfNextMonth: {
            type: 'integer',
            // Day 1 would make the last day fall in the reported month itself; past 28 some months lack the day.
            minimum: 2,
            maximum: 28,
            errorMessage: 'must be a day of the month from 2 to 28',
          },
          holidayPolicy: {
            type: 'string',
            enum: ['stays', 'next-working-day'],
            description:
              'When the last day is not a working day (a public holiday, or a weekend not worked in exchange): stays, or moves to the next working day (顺延). Default: stays.',
          },
          timeZone: { ...text, description: 'IANA time zone, e.g. Asia/Shanghai' },
          reminderWorkingDaysBefore: { type: 'integer', minimum: 0, errorMessage: 'must be a whole number of working days (0 or more)' },
          signedByHead: { type: 'boolean' },
          stampedByUnit: { type: 'boolean' },
          paperCopies: { type: 'integer', minimum: 0, errorMessage: 'must be a whole number (0 or more)' },
          deliverTo: text,
          officeRoom: text,
          email: { type: 'string', format: 'email', errorMessage: 'must be an e-mail address' },
          note: text,
        },
        ['dueBeforeDayOfNextMonth', 'timeZone', 'reminderWorkingDaysBefore', 'signedByHead', 'stampedByUnit', 'paperCopies', 'deliverTo', 'officeRoom', 'email'],
      ),
      boards: object(
        {
          publicInCounty: {
            type: 'boolean',
            description:
              'true: every signed-in user of the county reads every unit’s rows of the compliance and supervision boards; false: a unit’s people read their own rows only',
          },
        },
        ['publicInCounty'],
      ),
      supervisionDeadlines: object(
        {
          acknowledgeWorkingDays: workingDays('the unit confirms it has the case, from opening'),
          planWorkingDays: workingDays('the rectification plan (整改方案), from acknowledging'),
          reviewWorkingDays: workingDays('the bureau reviews the feedback, from the feedback'),
          resubmitWorkingDays: workingDays('a plan or feedback sent back for more, from the review'),
          reminderWorkingDaysBefore: { type: 'integer', minimum: 0, errorMessage: 'must be a whole number of working days (0 or more)' },
          reminderLocalHour: { type: 'integer', minimum: 0, maximum: 23, errorMessage: 'must be an hour from 0 to 23' },
        },
        ['acknowledgeWorkingDays', 'planWorkingDays', 'reviewWorkingDays', 'resubmitWorkingDays', 'reminderWorkingDaysBefore', 'reminderLocalHour'],
      ),
      documents: object(
        {
          printedBy: { ...text, description: '印发机关 of the imprint (版记)' },
          series: {
            type: 'array',
            minItems: 1,
            items: object(
              {
                id,
                header: { ...text, description: '发文机关标志, printed red at the top, e.g. 叶县人民政府办公室文件' },
                issuer: { ...text, description: '发文机关署名 above the date' },
                prefix: { ...text, description: '机关代字 of the number prefix〔year〕n号, e.g. 叶政办' },
                printedBy: { ...text, description: '印发机关 of the imprint, when not documents.printedBy' },
                kinds: {
                  type: 'array',
                  minItems: 1,
                  uniqueItems: true,
                  items: { type: 'string', enum: ['quarterly-notice', 'supervision-notice', 'talk-notice', 'reward-proposal', 'reward-decision', 'monthly-report'] },
                },
                years: {
                  type: 'array',
                  minItems: 1,
                  items: object(
                    {
                      year: { type: 'integer', minimum: 1900, maximum: 9999, errorMessage: 'must be a year such as 2023' },
                      first: { ...positiveInteger, description: 'the first number Jixiao gives that year (1 by default)' },
                    },
                    ['year'],
                  ),
                },
              },
              ['id', 'header', 'issuer', 'prefix', 'kinds', 'years'],
            ),
          },
        },
        ['series'],
      ),
      leadingGroup: object(
        {
          name: text,
          members: { type: 'array', minItems: 1, items: object({ role: id, roleZh: text, name: text, title: text }) },
          memberUnits: text,
          substitutionRule: text,
          office: object(
            { name: text, hostUnit: { ...id, description: 'a units[].id' }, duties: text, director: officeHolder, deputyDirectors: { type: 'array', items: officeHolder } },
            ['name', 'hostUnit', 'director'],
          ),
        },
        ['name', 'members', 'office'],
      ),
    },
    [
      'schemaVersion',
      'id',
      'documentNumber',
      'issuer',
      'issuedOn',
      'title',
      'year',
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
    ],
  ),
};

const says = { ...text, description: "the notice's sentence this entry comes from" };

export const CALENDAR_SCHEMA = {
  $schema: DRAFT,
  title: 'Jixiao working calendar (one year)',
  description: "Public holidays and the weekend days worked in exchange (调休), from the State Council's notice for the year. Checked further by libs/workflows/plan/calendars.ts.",
  ...object(
    {
      year: { type: 'integer', minimum: 1900, maximum: 9999, errorMessage: 'must be a year such as 2023' },
      notice: object({ title: text, number: text, issuedOn: date }, ['title', 'issuedOn']),
      holidays: { type: 'array', items: object({ name: text, from: date, to: date, says }) },
      workingWeekendDays: { type: 'array', items: object({ date, holiday: { ...text, description: 'a holidays[].name' }, says }) },
    },
    ['year', 'notice', 'holidays', 'workingWeekendDays'],
  ),
};
