/**
 * YAML files checked by a JSON Schema (ajv), with every complaint naming the file, the line and
 * the field, because the people who maintain plan and calendar files are not the people who read
 * stack traces. The schema does the shape; each file's own code adds the checks a schema cannot
 * express (cross-references, sums, numbering) through the same `Issues` list.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { isIsoDate } from './working-calendar.js';

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

/** The file was refused; `errors` lists every problem in line order, the first is also the message's first line. */
export class PlanFileError extends Error {
  override readonly name = 'PlanFileError';
  readonly file: string;
  readonly line: number;
  readonly field: string;
  constructor(readonly errors: readonly PlanFileIssue[]) {
    const [first, ...rest] = errors;
    if (!first) throw new TypeError('PlanFileError needs at least one issue');
    super(rest.length === 0 ? first.message : `${first.message}\n(${rest.length} more problem${rest.length === 1 ? '' : 's'}:)\n${rest.map((e) => `  ${e.message}`).join('\n')}`);
    this.file = first.file;
    this.line = first.line;
    this.field = first.field;
  }
}

/** A path into the document: keys and list indices. */
export type Path = readonly (string | number)[];

// One Ajv for every schema: compiling is the expensive part, and each schema is compiled once.
// verbose: errors carry their schema, whose errorMessage and list of known fields the reports quote.
const ajv = new Ajv({ allErrors: true, strict: true, discriminator: true, verbose: true });
// `errorMessage` is the wording editors (yaml-language-server) show too; here it only annotates.
ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
ajv.addFormat('date', { type: 'string', validate: (s: string) => isIsoDate(s) });
ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
const compiled = new WeakMap<object, ValidateFunction>();

/** A parsed YAML file, its plain value, and the list of problems found in it so far. */
export class Issues {
  readonly list: PlanFileIssue[] = [];
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    /** How to name a list item to a person, e.g. `indicator 12` rather than `indicators[11]`. */
    private readonly itemLabel: (path: Path, item: unknown) => string | undefined,
  ) {}

  /** Parses `text`; a YAML syntax error refuses the file at once, since nothing after it can be trusted. */
  static parse(text: string, file: string, itemLabel: (path: Path, item: unknown) => string | undefined = () => undefined): { issues: Issues; value: unknown } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    const issues = new Issues(file, doc, lines, itemLabel);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) issues.push(e.linePos?.[0].line ?? 1, '', 'YAML syntax', e.message.split('\n')[0] ?? e.message);
      issues.throwIfAny();
    }
    return { issues, value: doc.toJS({ maxAliasCount: 1000 }) };
  }

  /** Checks `value` against `schema`, reporting every violation at its line. */
  validate(schema: object, value: unknown): void {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    if (validate(value)) return;
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      const path = e.instancePath
        .split('/')
        .slice(1)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s, i, all) => (isIndex(this.valueAt(value, all.slice(0, i)), s) ? Number(s) : s));
      const { at, reason } = describe(e, this.valueAt(value, path), path);
      const key = `${at.join('/')}\u0000${reason}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.report(at, reason, { missing: e.keyword === 'required' });
    }
  }

  /**
   * Reports `reason` about the field at `path`. A field is named at its key's line (a block list or
   * mapping value only starts on the next line); a `missing` one at the line where its mapping starts.
   */
  report(path: Path, reason: string, { missing = false } = {}): void {
    const where = missing ? path.slice(0, -1) : path;
    this.push(this.lineOf(where), fieldOf(path), this.labelOf(where, missing ? undefined : path), reason);
  }

  get any(): boolean {
    return this.list.length > 0;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new PlanFileError([...this.list].sort((a, b) => a.line - b.line));
  }

  private push(line: number, field: string, label: string, reason: string): void {
    this.list.push({ file: this.file, line, field, reason, message: `${this.file} line ${line}: ${label}: ${reason}` });
  }

  private valueAt(value: unknown, path: Path): unknown {
    return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined), value);
  }

  /** The node at `path` and, for a mapping's field, its key node. */
  private nodeAt(path: Path): { node: Node | null; key: Node | null } {
    let node = this.resolve(this.doc.contents);
    let key: Node | null = null;
    for (const k of path) {
      key = null;
      if (isMap(node)) {
        const pair = (node.items as Pair[]).find((p) => isScalar(p.key) && String(p.key.value) === String(k));
        if (!pair) return { node: null, key: null };
        key = pair.key as Node;
        node = this.resolve(pair.value);
      } else if (isSeq(node) && typeof k === 'number') {
        node = this.resolve(node.items[k]);
      } else {
        return { node: null, key: null };
      }
    }
    return { node, key };
  }

  private resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null) ?? null;
  }

  lineOf(path: Path): number {
    // The nearest part of the path that is in the document; the file's first line when none is.
    for (let n = path.length; n >= 0; n--) {
      const { node, key } = this.nodeAt(path.slice(0, n));
      const offset = (key ?? node)?.range?.[0];
      if (offset !== undefined) return this.lines.linePos(offset).line;
    }
    return 1;
  }

  /** `indicator 12: points`, `peerGroup: counties[2]: id`; top-level fields by their key, the root as `plan`. */
  private labelOf(where: Path, full?: Path): string {
    const path = full ?? where;
    if (path.length === 0) return 'plan';
    let label = '';
    let value: unknown = this.doc.toJS();
    path.forEach((k, i) => {
      const parent = value;
      value = parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[k as string] : undefined;
      if (typeof k === 'number') {
        label = this.itemLabel(path.slice(0, i + 1), value) ?? `${label}[${k}]`;
      } else {
        label = label ? `${label}: ${k}` : k;
      }
    });
    return label;
  }
}

const isIndex = (container: unknown, segment: string): boolean => Array.isArray(container) && /^\d+$/.test(segment);

export function fieldOf(path: Path): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');
}

/** An ajv error as a sentence about one field. */
function describe(e: ErrorObject, value: unknown, path: Path): { at: Path; reason: string } {
  const custom = (e.parentSchema as { errorMessage?: string } | undefined)?.errorMessage;
  const got = value === undefined || value === null || typeof value === 'object' ? '' : `, got ${JSON.stringify(value)}`;
  switch (e.keyword) {
    case 'required':
      return { at: [...path, e.params.missingProperty as string], reason: `missing required field "${e.params.missingProperty}"` };
    case 'additionalProperties': {
      const extra = e.params.additionalProperty as string;
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      return { at: [...path, extra], reason: `unknown field "${extra}"${known.length ? `; expected one of: ${known.join(', ')}` : ''}` };
    }
    case 'enum':
      return { at: path, reason: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}${got}` };
    case 'discriminator': {
      // Worded as the tag's own enum error, so the two reports of one mistake collapse into one.
      const tag = e.params.tag as string;
      const known = (e.parentSchema as { properties?: Record<string, { enum?: unknown[] }> }).properties?.[tag]?.enum;
      const tagValue = e.params.tagValue === undefined ? '' : `, got ${JSON.stringify(e.params.tagValue)}`;
      return { at: [...path, tag], reason: known ? `must be one of ${known.join(', ')}${tagValue}` : `must be a known ${tag}${tagValue}` };
    }
    case 'minItems':
      return { at: path, reason: e.params.limit === 1 ? 'must not be empty' : `must list at least ${e.params.limit} items` };
    case 'uniqueItems':
      return { at: path, reason: 'must not list the same value twice' };
    case 'type':
      if (custom) return { at: path, reason: `${custom}${got}` };
      return { at: path, reason: TYPE_WORDS[String(e.params.type)] ?? `must be ${e.params.type}` };
    default:
      return { at: path, reason: custom ? `${custom}${got}` : `${e.message ?? 'is not valid'}${got}` };
  }
}

const TYPE_WORDS: Record<string, string> = {
  object: 'must be a mapping (key: value pairs)',
  array: 'must be a list',
  string: 'must be text',
  boolean: 'must be true or false',
  number: 'must be a number',
  integer: 'must be a whole number',
};
