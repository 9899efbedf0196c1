/**
 * Reading plan files from disk: the only I/O around `parsePlanFile`, kept apart so the parser stays
 * pure and testable on strings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlanFile, PlanFileError, type PlanDefinition } from './plan-file.js';
import { BUILTIN_PLANS_DIR } from './plans-dir.js';

export { BUILTIN_CALENDARS_DIR, BUILTIN_PLANS_DIR } from './plans-dir.js';

/** Reads and validates a plan file; messages name the file as `path` is given. */
export function loadPlanFile(path: string): PlanDefinition {
  return parsePlanFile(readFileSync(path, 'utf8'), path);
}

/** Loads `<BUILTIN_PLANS_DIR>/<id>.yaml`, refusing a file whose `id` is not its name, so ids and files cannot drift apart. */
export function loadBuiltinPlan(id: string, dir: string = BUILTIN_PLANS_DIR): PlanDefinition {
  const path = join(dir, `${id}.yaml`);
  const text = readFileSync(path, 'utf8');
  const plan = parsePlanFile(text, path);
  if (plan.id !== id) {
    const line = text.split('\n').findIndex((l) => /^id\s*:/.test(l)) + 1 || 1;
    const reason = `is "${plan.id}" but the file is named ${id}.yaml; a built-in plan's id must match its file name`;
    throw new PlanFileError([{ file: path, line, field: 'id', reason, message: `${path} line ${line}: id: ${reason}` }]);
  }
  return plan;
}
