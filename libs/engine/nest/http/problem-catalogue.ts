/**
 * Problems worded from a catalogue (issue 14): a code's wording in zh-CN and en-US is a template
 * whose `{param}` is filled from the problem's `params`, `{param:enum}` through one of the
 * catalogue's enum tables (a status, a step, a colour) so no English value lands in a Chinese
 * sentence. The workflows register theirs (libs/workflows/problems.ts); the engine's own refusals
 * (`forbidden`) are here.
 */
export type CatalogueLanguage = 'zh-CN' | 'en-US';

export interface ProblemCatalogue {
  /** Value → word, per language, for `{param:enum}`. */
  enums?: Record<string, Record<CatalogueLanguage, Record<string, string>>>;
  codes: Record<string, Record<CatalogueLanguage, string>>;
  /** Field errors' messages by their code (e.g. a spreadsheet cell's problem), the same way. */
  fields?: Record<string, Record<CatalogueLanguage, string>>;
}

/** The engine's own: a refusal by permission; its English names the rule that refused (`params.rule`). */
export const ENGINE_PROBLEMS: ProblemCatalogue = {
  codes: {
    forbidden: {
      'zh-CN': '您没有权限执行此操作（角色或所属单位不符），未写入任何内容。',
      'en-US': 'you may not do this; nothing was written. {rule}',
    },
  },
};

const registered: ProblemCatalogue[] = [ENGINE_PROBLEMS];

/** Adds a catalogue (once per object); a later one's code replaces an earlier one's. */
export function registerProblemCatalogue(catalogue: ProblemCatalogue): void {
  if (!registered.includes(catalogue)) registered.push(catalogue);
}

/** The placeholders of a template: `{name}` and `{name:enum}` give `name`. */
export function placeholders(template: string): { name: string; enumName?: string }[] {
  return [...template.matchAll(/\{([A-Za-z][A-Za-z0-9]*)(?::([A-Za-z][A-Za-z0-9]*))?\}/g)].map((m) => ({ name: m[1]!, ...(m[2] ? { enumName: m[2] } : {}) }));
}

function valueText(value: unknown, language: CatalogueLanguage, words?: Record<string, string>): string {
  if (Array.isArray(value)) return value.map((v) => valueText(v, language, words)).join(language === 'zh-CN' ? '、' : ', ');
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value as string | number | boolean);
  return words?.[text] ?? text;
}

/** The code's wording with its params filled in, or undefined when no catalogue words the code. */
export function wordProblem(
  code: string,
  params: Record<string, unknown> | undefined,
  language: CatalogueLanguage,
  catalogues: readonly ProblemCatalogue[] = registered,
): string | undefined {
  return word('codes', code, params, language, catalogues);
}

/** A field error's message by its code, or undefined when no catalogue words it. */
export function wordField(
  code: string,
  params: Record<string, unknown> | undefined,
  language: CatalogueLanguage,
  catalogues: readonly ProblemCatalogue[] = registered,
): string | undefined {
  return word('fields', code, params, language, catalogues);
}

function word(
  section: 'codes' | 'fields',
  code: string,
  params: Record<string, unknown> | undefined,
  language: CatalogueLanguage,
  catalogues: readonly ProblemCatalogue[],
): string | undefined {
  let found: { template: string; catalogue: ProblemCatalogue } | undefined;
  for (const catalogue of catalogues) {
    const template = catalogue[section]?.[code]?.[language];
    if (template !== undefined) found = { template, catalogue };
  }
  if (!found) return undefined;
  const { template, catalogue } = found;
  return template.replace(/\{([A-Za-z][A-Za-z0-9]*)(?::([A-Za-z][A-Za-z0-9]*))?\}/g, (_m, name: string, enumName?: string) => {
    const words = enumName ? (catalogues.find((c) => c.enums?.[enumName]) ?? catalogue).enums?.[enumName]?.[language] : undefined;
    return valueText(params?.[name], language, words);
  });
}
