import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALENDAR_SCHEMA, PLAN_SCHEMA } from './plan.schema.js';
import { BUILTIN_PLANS_DIR } from './plans-dir.js';

/**
 * Editors check plan and calendar files against the published schema files, the code against the
 * objects in plan.schema.ts; the two must be one schema. After changing plan.schema.ts, run this
 * suite once with JIXIAO_WRITE_SCHEMAS=1 to rewrite the published files, and commit them.
 */
describe.each([
  ['plan.schema.json', PLAN_SCHEMA],
  ['calendar.schema.json', CALENDAR_SCHEMA],
])('plans/%s', (name, schema) => {
  const path = join(BUILTIN_PLANS_DIR, name);
  const published = `${JSON.stringify(schema, null, 2)}\n`;
  if (process.env['JIXIAO_WRITE_SCHEMAS'] === '1') writeFileSync(path, published);

  it('is the schema the code validates with', () => {
    expect(readFileSync(path, 'utf8')).toBe(published);
  });
});

describe('the files name their schema for editors', () => {
  it.each([
    ['ye-county-2023.yaml', './plan.schema.json'],
    ['calendars/2023.yaml', '../calendar.schema.json'],
    ['calendars/2024.yaml', '../calendar.schema.json'],
    ['calendars/2025.yaml', '../calendar.schema.json'],
    ['calendars/2026.yaml', '../calendar.schema.json'],
  ])('%s', (file, schema) => {
    expect(readFileSync(join(BUILTIN_PLANS_DIR, file), 'utf8').split('\n')[0]).toBe(`# yaml-language-server: $schema=${schema}`);
  });
});
