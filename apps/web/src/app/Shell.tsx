import {
  AuditOutlined,
  BarChartOutlined,
  DashboardOutlined,
  FileTextOutlined,
  InboxOutlined,
  LogoutOutlined,
  KeyOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
  TrophyOutlined,
  UserOutlined,
  AlertOutlined,
  BellOutlined,
  ProfileOutlined,
} from '@ant-design/icons';
import { Alert, Badge, Button, Dropdown, Grid, Layout, Menu, Segmented, Space, Typography } from 'antd';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { answer, api } from '../api/http';
import type { DemoStatus } from '../api/models';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router-dom';
import { currentLanguage, rememberLanguage, switchLanguage, type Language } from '../i18n';
import { usePlan } from './plan';
import { PAGE_ROLES } from './access';
import { hasRole, useSession } from './session';
import { NoticeBell, todoOf, useTodo } from '../components/Notices';

const NoticeChannelsModal = lazy(() => import('../components/NoticeChannelsModal'));

const PAGES: { path: string; key: string; icon: ReactNode }[] = [
  { path: '/dashboard', key: 'nav.dashboard', icon: <DashboardOutlined /> },
  { path: '/unit', key: 'nav.unit', icon: <FileTextOutlined /> },
  { path: '/office', key: 'nav.office', icon: <InboxOutlined /> },
  { path: '/peer-figures', key: 'nav.peerFigures', icon: <BarChartOutlined /> },
  { path: '/assessment', key: 'nav.assessment', icon: <SafetyCertificateOutlined /> },
  { path: '/supervision', key: 'nav.supervision', icon: <AlertOutlined /> },
  { path: '/year-end', key: 'nav.yearEnd', icon: <TrophyOutlined /> },
  { path: '/audit', key: 'nav.audit', icon: <AuditOutlined /> },
  { path: '/admin/users', key: 'nav.admin', icon: <TeamOutlined /> },
  { path: '/plan', key: 'planPage.nav', icon: <ProfileOutlined /> },
];

export function LanguageSwitch() {
  const { t } = useTranslation();
  return (
    <Segmented<Language>
      size="small"
      aria-label={t('a11y.language')}
      data-testid="language-switch"
      value={currentLanguage()}
      options={[
        { label: <span lang="zh-CN">中文</span>, value: 'zh-CN' },
        {
          label: (
            <span lang="en-US" aria-label="English">
              EN
            </span>
          ),
          value: 'en-US',
        },
      ]}
      onChange={(lang) => {
        rememberLanguage(lang);
        void switchLanguage(lang);
      }}
    />
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { user, logout } = useSession();
  const plan = usePlan();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const narrow = !screens.lg;
  const [collapsed, setCollapsed] = useState(true);
  const todo = useTodo();
  const [channelsOpen, setChannelsOpen] = useState(false);
  // Mounted from the first opening on (its chunk is fetched then), so closing keeps its animation.
  const [channelsAsked, setChannelsAsked] = useState(false);
  useEffect(() => {
    if (channelsOpen) setChannelsAsked(true);
  }, [channelsOpen]);
  // Each page's waiting work as a badge beside its name (issue 16: to-do counts on the menu).
  const items = PAGES.filter((p) => hasRole(user, ...(PAGE_ROLES[p.path] ?? []))).map((p) => {
    const n = todoOf(p.path, todo);
    return {
      key: p.path,
      icon: p.icon,
      label: n ? (
        <span>
          {t(p.key)}{' '}
          <span aria-hidden>
            <Badge count={n} size="small" style={{ boxShadow: 'none' }} data-testid={`todo-${p.path.slice(1)}`} />
          </span>
          <span className="visually-hidden">{t('notices.todoCount', { count: n })}</span>
        </span>
      ) : (
        t(p.key)
      ),
    };
  });
  const selected = PAGES.find((p) => location.pathname.startsWith(p.path))?.path;
  const roles = user?.roles.map((r) => t(`role.${r}`)).join('、');

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a
        className="skip-link no-print"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
        data-testid="skip-link"
      >
        {t('a11y.skip')}
      </a>
      <Layout.Sider
        className="no-print"
        breakpoint="lg"
        collapsedWidth={0}
        collapsible
        collapsed={narrow ? collapsed : false}
        onCollapse={setCollapsed}
        trigger={narrow ? undefined : null}
        width={208}
        theme="dark"
        style={narrow ? { position: 'fixed', height: '100vh', zIndex: 20 } : undefined}
      >
        <div className="brand">{t('app.brand')}</div>
        <nav aria-label={t('a11y.mainNav')}>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={selected ? [selected] : []}
            items={items}
            onClick={({ key }) => {
              navigate(key);
              if (narrow) setCollapsed(true);
            }}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="app-header no-print">
          <Typography.Text className="plan-title" ellipsis>
            {plan.title}
          </Typography.Text>
          <Space size="middle">
            <LanguageSwitch />
            <NoticeBell unread={todo?.unreadNotices ?? 0} />
            <Dropdown
              trigger={['click']}
              autoFocus
              menu={{
                items: [
                  { key: 'roles', label: roles, disabled: true },
                  { key: 'password', icon: <KeyOutlined />, label: t('nav.password'), 'data-testid': 'menu-password' } as { key: string; label: string },
                  { key: 'channels', icon: <BellOutlined />, label: t('notices.channels'), 'data-testid': 'menu-notice-channels' } as { key: string; label: string },
                  { key: 'logout', icon: <LogoutOutlined />, label: t('nav.logout'), 'data-testid': 'menu-logout' } as { key: string; label: string },
                ],
                onClick: ({ key }) => {
                  if (key === 'password') navigate('/password');
                  if (key === 'channels') setChannelsOpen(true);
                  if (key === 'logout') void logout();
                },
              }}
            >
              <Button type="text" icon={<UserOutlined />} data-testid="user-menu" aria-label={t('a11y.userMenu', { name: user?.name ?? '' })} style={{ color: 'inherit' }}>
                {screens.sm ? user?.name : null}
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        {(channelsOpen || channelsAsked) && (
          <Suspense fallback={null}>
            <NoticeChannelsModal open={channelsOpen} onClose={() => setChannelsOpen(false)} />
          </Suspense>
        )}
        <DemoBanner />
        <Layout.Content className="app-content" id="main" tabIndex={-1}>
          {children}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/** Every figure of the demo year is synthetic: say so on every page (GET /demo answers 404 when no demo was played). */
function DemoBanner() {
  const { t } = useTranslation();
  const [demo, setDemo] = useState<DemoStatus | null>(null);
  useEffect(() => {
    answer(api.GET('/api/v1/demo')).then(
      (d) => setDemo(d.synthetic ? d : null),
      () => setDemo(null),
    );
  }, []);
  if (!demo) return null;
  // The date the demo's clock stands at: deadlines and "overdue" are counted from it, not from today.
  return (
    <Alert
      className="no-print"
      type="warning"
      banner
      showIcon
      data-testid="demo-banner"
      title={
        <>
          {demo.clock && <strong data-testid="demo-date">{t('journeys.demoDate', { date: demo.clock.date })}</strong>}
          {demo.clock && ' — '}
          {t('demo.banner', { year: demo.year, seed: demo.seed })}
        </>
      }
    />
  );
}
