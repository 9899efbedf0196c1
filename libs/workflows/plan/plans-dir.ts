import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRootFrom(moduleDir: string): string {
  // This file is libs/workflows/plan/; compiled, it is dist/libs/workflows/plan/, and the build does
  // not copy plans/, so step out of dist/ as well.
  const up = resolve(moduleDir, '..', '..', '..');
  return basename(up) === 'dist' ? dirname(up) : up;
}

/** The plans the product ships with (`<repo>/plans`), one `<plan id>.yaml` each. */
export const BUILTIN_PLANS_DIR = join(repoRootFrom(dirname(fileURLToPath(import.meta.url))), 'plans');

/** The working calendars (`<repo>/plans/calendars`), one `<year>.yaml` each. */
export const BUILTIN_CALENDARS_DIR = join(BUILTIN_PLANS_DIR, 'calendars');
