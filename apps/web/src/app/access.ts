import type { Role, User } from '../api/models';
import { hasRole } from './session';

/** Which pages each role works in; the API enforces the same rules again on every request. */
export const PAGE_ROLES: Record<string, Role[]> = {
  '/dashboard': ['reporter', 'head', 'office', 'supervisor', 'leader', 'auditor', 'admin'],
  '/unit': ['reporter', 'head'],
  '/office': ['office'],
  '/peer-figures': ['office', 'leader', 'supervisor', 'auditor'],
  '/assessment': ['office', 'leader', 'supervisor', 'auditor'],
  '/supervision': ['supervisor', 'office', 'leader', 'auditor', 'reporter', 'head'],
  '/year-end': ['office', 'leader', 'supervisor', 'auditor'],
  '/audit': ['auditor', 'admin', 'office'],
  '/admin/users': ['admin'],
  '/plan': ['office', 'admin'],
};

export function homeOf(user: User | undefined): string {
  if (hasRole(user, 'reporter', 'head')) return '/unit';
  if (hasRole(user, 'office')) return '/office';
  if (hasRole(user, 'supervisor')) return '/supervision';
  if (hasRole(user, 'auditor')) return '/audit';
  if (hasRole(user, 'admin') && !hasRole(user, 'leader')) return '/admin/users';
  return '/dashboard';
}
