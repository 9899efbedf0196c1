import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DomainError, ForbiddenError } from '../engine/commands/command.js';
import { ENGINE_PROBLEMS, placeholders, type CatalogueLanguage } from '../engine/nest/http/problem-catalogue.js';
import { PIPELINE_WORDED_CODES, localize, toProblem, withParams } from '../engine/nest/http/problem-details.js';
import './workflows.js';
import { WORKFLOW_PROBLEMS } from './problems.js';

/**
 * Every refusal a workflow throws is worded in both languages (issue 14): this walks the source of
 * libs/ for `new DomainError('code', …)` and checks the catalogue against each throw site.
 */
const LIBS = join(process.cwd(), 'libs');
const LANGUAGES: CatalogueLanguage[] = ['zh-CN', 'en-US'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The index just past the expression that starts at `i` and ends at depth 0 on `,` or a closer. */
function skipString(src: string, i: number): number {
  const quote = src[i];
  let j = i + 1;
  while (src[j] !== quote) {
    if (j >= src.length) throw new Error(`unterminated string at ${i}`);
    if (src[j] === '\\') j++;
    else if (quote === '`' && src[j] === '$' && src[j + 1] === '{') {
      j = matching(src, j + 1);
    }
    j++;
  }
  return j;
}

/** The index of the bracket closing the one at `i`. */
function matching(src: string, i: number): number {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j]!;
    if (c === '/' && src[j + 1] === '/') j = src.indexOf('\n', j);
    else if (c === "'" || c === '"' || c === '`') j = skipString(src, j);
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && --depth === 0) return j;
  }
  throw new Error(`unbalanced at ${i}`);
}

/** The top-level arguments of the call whose `(` is at `open`. */
function args(src: string, open: number): string[] {
  const close = matching(src, open);
  const out: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let j = open + 1; j < close; j++) {
    const c = src[j]!;
    if (c === '/' && src[j + 1] === '/') j = src.indexOf('\n', j);
    else if (c === "'" || c === '"' || c === '`') j = skipString(src, j);
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      out.push(src.slice(start, j));
      start = j + 1;
    }
  }
  out.push(src.slice(start, close));
  return out.map((a) => a.trim()).filter(Boolean);
}

/** The keys of an object literal's top level: `a`, `b: …`, `...x` is skipped. */
function keys(literal: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = literal.trim();
  if (!body.startsWith('{')) return out;
  for (const part of args(`(${body.slice(1, matching(body, 0))})`, 0)) {
    const m = /^([A-Za-z_$][\w$]*)\s*(?::\s*([\s\S]*))?$/.exec(part);
    if (m) out.set(m[1]!, m[2] ?? m[1]!);
  }
  return out;
}

interface Site {
  where: string;
  code: string;
  params: Set<string>;
}

function throwSites(): Site[] {
  const sites: Site[] = [];
  for (const file of sources(LIBS)) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/new DomainError\(\s*'([a-z0-9-]+)'/g)) {
      const open = m.index + 'new DomainError'.length;
      const [, , details = '{}'] = args(src, open);
      const top = keys(details);
      const params = new Set([...top.keys()].filter((k) => k !== 'status' && k !== 'fields' && k !== 'params'));
      const inner = top.get('params');
      if (inner) for (const k of keys(inner).keys()) params.add(k);
      sites.push({ where: `${relative(process.cwd(), file)}:${src.slice(0, m.index).split('\n').length}`, code: m[1]!, params });
    }
  }
  return sites;
}

describe('the problem catalogue', () => {
  const sites = throwSites();
  const codes = { ...ENGINE_PROBLEMS.codes, ...WORKFLOW_PROBLEMS.codes };

  it('finds the throw sites in libs/ (the walk itself works)', () => {
    expect(sites.length).toBeGreaterThan(150);
    expect(sites.find((s) => s.code === 'report-locked')?.params).toEqual(new Set(['period', 'status']));
  });

  it('words every code thrown in both languages', () => {
    const unworded = [...new Set(sites.map((s) => s.code))].filter((code) => !PIPELINE_WORDED_CODES.includes(code) && LANGUAGES.some((l) => !codes[code]?.[l]));
    expect(unworded).toEqual([]);
  });

  it('names in a wording only params every throw site of its code passes, and only enums it has', () => {
    const missing: string[] = [];
    for (const site of sites) {
      for (const language of LANGUAGES) {
        const template = codes[site.code]?.[language];
        if (!template) continue;
        for (const { name, enumName } of placeholders(template)) {
          if (!site.params.has(name)) missing.push(`${site.where} ${site.code} (${language}) does not pass {${name}}`);
          if (enumName && !WORKFLOW_PROBLEMS.enums?.[enumName]?.[language]) missing.push(`${site.code} (${language}): no enum ${enumName}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('has no English sentence in a Chinese wording', () => {
    const english = Object.entries(codes).filter(([, w]) => /[A-Za-z]+\s+[A-Za-z]+\s+[A-Za-z]+/.test(w['zh-CN'].replace(/\{[^}]*\}/g, '')));
    expect(english.map(([code]) => code)).toEqual([]);
  });

  it('words a refusal’s detail, its enum values and its field errors in the reader’s language', () => {
    const err = new DomainError('report-locked', 'the 2023-03 report of czj is submitted; …', { params: { period: '2023-03', status: 'submitted' } });
    const zh = localize(withParams(toProblem(err, 'POST')!), 'zh-CN');
    expect(zh).toMatchObject({
      code: 'report-locked',
      title: '命令被拒绝',
      detail: '2023-03 的报告已提交，须由县绩效办退回后才能修改。',
      params: { period: '2023-03', status: 'submitted' },
    });
    const en = localize(withParams(toProblem(err, 'POST')!), 'en-US');
    expect(en.detail).toBe('the 2023-03 report is submitted; it can be changed only after the office returns it.');

    const lagging = new DomainError('lagging-without-analysis', '…', {
      status: 422,
      params: { lagging: ['3 地区生产总值', '7 税收'] },
      fields: [
        { field: 'lines[indicatorNo=3].analysis', message: 'required for a lagging indicator' },
        { field: 'copies', message: '1..10' },
      ],
    });
    const zhLagging = localize(withParams(toProblem(lagging)!), 'zh-CN');
    expect(zhLagging.detail).toBe('短板指标须填写落后原因分析和应对举措后才能提交：3 地区生产总值、7 税收。');
    expect(zhLagging.errors).toEqual([
      { field: 'lines[indicatorNo=3].analysis', message: '必填', code: 'required' },
      { field: 'copies', message: '此项不符合要求' },
    ]);
    expect(localize(withParams(toProblem(lagging)!), 'en-US').errors?.[1]).toEqual({ field: 'copies', message: '1..10' });

    const warning = new DomainError('warning-not-red', '…', { params: { indicatorNo: 4, period: '2023-Q1', warning: 'yellow' } });
    expect(localize(withParams(toProblem(warning)!), 'zh-CN').detail).toBe('督查案件针对红色预警立案；第 4 项指标 2023-Q1 为🟡 黄。');
  });

  it('words every spreadsheet cell problem of the peer-figures import in both languages, from its params', () => {
    const src = readFileSync(join(LIBS, 'workflows/ranking/peer-figures-import.ts'), 'utf8');
    const used = [...new Set([...src.matchAll(/'(cell-[a-z-]+)'/g)].map((m) => m[1]!))];
    expect(used.length).toBeGreaterThan(15);
    expect(used.filter((code) => LANGUAGES.some((l) => !WORKFLOW_PROBLEMS.fields?.[code]?.[l]))).toEqual([]);
    const cell = new DomainError('invalid-spreadsheet', '…', {
      status: 422,
      params: { count: 1 },
      fields: [{ field: "'2023-Q3'!D2", message: 'the cell "n/a" is not a figure: …', code: 'cell-not-figure-text', params: { text: 'n/a' } }],
    });
    const zh = localize(withParams(toProblem(cell)!), 'zh-CN');
    expect(zh.detail).toBe('表格中有 1 处问题，未导入任何数据；请按各单元格的提示修改后重新导入。');
    expect(zh.errors?.[0]?.message).toBe('“n/a”不是数据：请填写数值（5.2）、名次（第2名）或两者（5.2（第2名））');
  });

  it('words a refusal by permission in Chinese, keeping its params', () => {
    const zh = localize(withParams(toProblem(new ForbiddenError('x may not …', { permission: 'report.submit' }))!), 'zh-CN');
    expect(zh).toMatchObject({ status: 403, title: '无权操作', detail: '您没有权限执行此操作（角色或所属单位不符），未写入任何内容。', params: { permission: 'report.submit' } });
    expect(localize(withParams(toProblem(new ForbiddenError('x may not submit', { permission: 'report.submit' }))!), 'en-US').detail).toBe(
      'you may not do this; nothing was written. x may not submit',
    );
  });
});
