import { Spin } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { homeOf, PAGE_ROLES } from './access';
import { PlanProvider } from './plan';
import { hasRole, useSession } from './session';
import { Shell } from './Shell';
import { Breadcrumbs } from '../components/Breadcrumbs';

// Every page is its own chunk: a leader's phone loads the dashboard, not the year-end screens.
const LoginPage = lazy(() => import('../pages/LoginPage'));
const PasswordPage = lazy(() => import('../pages/PasswordPage'));
const DashboardPage = lazy(() => import('../pages/DashboardPage'));
const MyUnitPage = lazy(() => import('../pages/MyUnitPage'));
const ReportPrintPage = lazy(() => import('../pages/ReportPrintPage'));
const OfficePage = lazy(() => import('../pages/OfficePage'));
const PeerFiguresPage = lazy(() => import('../pages/PeerFiguresPage'));
const AssessmentPage = lazy(() => import('../pages/AssessmentPage'));
const SupervisionPage = lazy(() => import('../pages/SupervisionPage'));
const CasePage = lazy(() => import('../pages/CasePage'));
const YearEndPage = lazy(() => import('../pages/YearEndPage'));
const AuditPage = lazy(() => import('../pages/AuditPage'));
const AdminUsersPage = lazy(() => import('../pages/AdminUsersPage'));
const PlanPage = lazy(() => import('../pages/PlanPage'));

/**
 * The route table as the breadcrumbs read it (issue 15): each page's title key and the page above
 * it. A page with a parent shows the trail on top (components/Breadcrumbs.tsx); a label may use the
 * route's parameters ({{indicatorNo}}, {{caseNo}}, {{period}}: a period is shown as the reader's).
 */
export interface RouteCrumb {
  path: string;
  title: string;
  parent?: string;
}
export const ROUTE_CRUMBS: RouteCrumb[] = [
  { path: '/dashboard', title: 'nav.dashboard' },
  { path: '/unit', title: 'nav.unit' },
  { path: '/unit/:unitId/:period/print', title: 'crumbs.print', parent: '/unit' },
  { path: '/office', title: 'nav.office' },
  { path: '/peer-figures', title: 'nav.peerFigures' },
  { path: '/assessment', title: 'nav.assessment' },
  { path: '/supervision', title: 'nav.supervision' },
  { path: '/supervision/cases/:unitId/:indicatorNo/:caseNo', title: 'crumbs.case', parent: '/supervision' },
  { path: '/year-end', title: 'nav.yearEnd' },
  { path: '/audit', title: 'nav.audit' },
  { path: '/admin/users', title: 'nav.admin' },
  { path: '/plan', title: 'planPage.nav' },
  { path: '/password', title: 'nav.password' },
];

const loading = <Spin size="large" style={{ display: 'block', margin: '20vh auto' }} />;

function Guard({ path, children }: { path: string; children: ReactNode }) {
  const { user } = useSession();
  const roles = PAGE_ROLES[path] ?? [];
  if (!hasRole(user, ...roles)) return <Navigate to={homeOf(user)} replace />;
  return <>{children}</>;
}

export function AppRoutes() {
  const { status, user } = useSession();
  const location = useLocation();
  if (status === 'loading') return loading;
  if (status === 'anonymous') {
    return (
      <Suspense fallback={loading}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname + location.search }} />} />
        </Routes>
      </Suspense>
    );
  }
  if (status === 'must-change') {
    return (
      <Suspense fallback={loading}>
        <PasswordPage required />
      </Suspense>
    );
  }
  const page = (path: string, element: ReactNode) => <Guard path={path}>{element}</Guard>;
  return (
    <PlanProvider>
      <Shell>
        <Breadcrumbs />
        <Suspense fallback={loading}>
          <Routes>
            <Route path="/" element={<Navigate to={homeOf(user)} replace />} />
            <Route path="/login" element={<Navigate to={(location.state as { from?: string } | null)?.from ?? homeOf(user)} replace />} />
            <Route path="/password" element={<PasswordPage />} />
            <Route path="/dashboard" element={page('/dashboard', <DashboardPage />)} />
            <Route path="/unit" element={page('/unit', <MyUnitPage />)} />
            <Route path="/unit/:unitId/:period/print" element={<ReportPrintPage />} />
            <Route path="/office" element={page('/office', <OfficePage />)} />
            <Route path="/peer-figures" element={page('/peer-figures', <PeerFiguresPage />)} />
            <Route path="/assessment" element={page('/assessment', <AssessmentPage />)} />
            <Route path="/supervision" element={page('/supervision', <SupervisionPage />)} />
            <Route path="/supervision/cases/:unitId/:indicatorNo/:caseNo" element={page('/supervision', <CasePage />)} />
            <Route path="/year-end" element={page('/year-end', <YearEndPage />)} />
            <Route path="/audit" element={page('/audit', <AuditPage />)} />
            <Route path="/admin/users" element={page('/admin/users', <AdminUsersPage />)} />
            <Route path="/plan" element={page('/plan', <PlanPage />)} />
            <Route path="*" element={<Navigate to={homeOf(user)} replace />} />
          </Routes>
        </Suspense>
      </Shell>
    </PlanProvider>
  );
}
