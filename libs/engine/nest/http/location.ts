/**
 * Where the API is mounted: apps/api/src/setup.ts's API_PREFIX (libs do not import apps; a test
 * checks the two agree). A creation answers 201 with `Location: apiPath(…)` (issue 14).
 */
export const API_BASE = '/api/v1';

/** The API path of a resource from its path segments, each encoded: apiPath('plans', planId, 'draft'). */
export function apiPath(...segments: (string | number)[]): string {
  return `${API_BASE}/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}
