import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { users } from '../api/endpoints';
import { newCommandId } from '../api/http';
import type { Role, User } from '../api/models';
import { unitName, unitOptions, usePlan } from '../app/plan';
import { PageTitle } from '../components/common';
import { EmptyState, matchesSearch, TableToolbar, useTableView } from '../components/TableTools';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { ReasonModal } from '../components/ReasonModal';
import { fmtDateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';

const ROLES: Role[] = ['reporter', 'head', 'office', 'supervisor', 'leader', 'auditor', 'admin'];

/** Administrators: users, their unit and roles; disabling with a reason; one-time passwords shown once. */
export default function AdminUsersPage() {
  const { t } = useTranslation();
  const plan = usePlan();
  const list = useAsync(() => users.list(), []);
  const notice = useProblemNotice();
  const { message } = App.useApp();
  const [creating, setCreating] = useState(false);
  // The privileged change waiting for the administrator's confirmation and reason.
  const [asking, setAsking] = useState<{ kind: 'grant' | 'revoke' | 'disable' | 'enable' | 'reset'; user: User; role?: Role } | null>(null);
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);
  // Search, role, unit and status filters and the page, in the address (issue 15).
  const view = useTableView('users', { filters: ['role', 'unit', 'status'] });
  const role = view.filter('role');
  const unit = view.filter('unit');
  const status = view.filter('status');
  const rows = (list.data ?? []).filter(
    (u) =>
      matchesSearch(view.q, u.username, u.name, u.unitId ? unitName(plan, u.unitId) : '') &&
      (!role || u.roles.includes(role as Role)) &&
      (!unit || u.unitId === unit) &&
      (!status || (status === 'disabled') === !!u.disabled),
  );
  // Rejects on failure (after showing the problem) so that the reason dialog stays open.
  const run = (fn: () => Promise<unknown>) =>
    fn().then(
      () => {
        message.success(t('admin.done'));
        list.reload();
      },
      (err) => {
        notice(err);
        throw err;
      },
    );
  const confirm = (kind: 'grant' | 'revoke' | 'disable' | 'enable' | 'reset', user: User, reason: string, role?: Role): Promise<unknown> => {
    switch (kind) {
      case 'grant':
        return run(() => users.grant(user.userId, role!, user.revision, reason));
      case 'revoke':
        return run(() => users.revoke(user.userId, role!, user.revision, reason));
      case 'disable':
        return run(() => users.disable(user.userId, reason, user.revision));
      case 'enable':
        return run(() => users.enable(user.userId, user.revision, reason));
      case 'reset':
        return users.resetPassword(user.userId, user.revision, reason).then(
          (r) => {
            setSecret({ username: user.username, password: r.oneTimePassword });
            list.reload();
          },
          (err) => {
            notice(err);
            throw err;
          },
        );
    }
  };

  return (
    <div data-testid="admin-users">
      <PageTitle
        title={t('admin.title')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="create-user">
            {t('admin.create')}
          </Button>
        }
      />
      <ProblemAlert error={list.error} />
      {secret && (
        <Alert
          type="warning"
          showIcon
          closable={{ onClose: () => setSecret(null) }}
          style={{ marginBottom: 16 }}
          title={t('admin.oneTime', { username: secret.username })}
          description={
            <Typography.Text code copyable data-testid="one-time-password">
              {secret.password}
            </Typography.Text>
          }
        />
      )}
      <TableToolbar
        view={view}
        testId="users"
        placeholder={t('tables.searchUsers')}
        filters={[
          { name: 'role', label: t('tables.allRoles'), options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })) },
          { name: 'unit', label: t('tables.allUnits'), options: unitOptions(plan), width: 180 },
          {
            name: 'status',
            label: t('tables.allStatuses'),
            options: [
              { value: 'active', label: t('admin.active') },
              { value: 'disabled', label: t('admin.disabled') },
            ],
          },
        ]}
      />
      <Table<User>
        size="small"
        rowKey="userId"
        data-testid="users-table"
        loading={list.loading}
        dataSource={rows}
        pagination={view.pagination}
        locale={{
          emptyText: (
            <EmptyState
              view={view}
              description={t('tables.noUsers')}
              action={
                <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                  {t('admin.create')}
                </Button>
              }
            />
          ),
        }}
        scroll={{ x: 900 }}
        columns={[
          {
            title: t('login.username'),
            dataIndex: 'username',
            // A sign-in name is an identifier typed as it stands, not words to translate (WCAG 3.1.2; no "English" on a Chinese page).
            render: (v: string) => (
              <Typography.Text code translate="no">
                {v}
              </Typography.Text>
            ),
          },
          { title: t('admin.name'), dataIndex: 'name' },
          { title: t('office.unit'), dataIndex: 'unitId', render: (id?: string) => (id ? unitName(plan, id) : '—') },
          {
            title: t('admin.roles'),
            key: 'roles',
            render: (_, u) => (
              <Space wrap size={4}>
                {u.roles.map((r) => (
                  <Tag
                    key={r}
                    closable={u.disabled ? false : { 'aria-label': t('a11y.revokeRole', { role: t(`role.${r}`), name: u.name }) }}
                    onClose={(e) => {
                      e.preventDefault();
                      setAsking({ kind: 'revoke', user: u, role: r as Role });
                    }}
                  >
                    {t(`role.${r}`)}
                  </Tag>
                ))}
                {!u.disabled && (
                  <Select
                    size="small"
                    placeholder="+"
                    aria-label={t('a11y.roleToGrant', { name: u.name })}
                    style={{ width: 110 }}
                    value={null}
                    options={ROLES.filter((r) => !u.roles.includes(r)).map((r) => ({ value: r, label: t(`role.${r}`) }))}
                    onChange={(r: Role) => setAsking({ kind: 'grant', user: u, role: r })}
                  />
                )}
              </Space>
            ),
          },
          {
            title: t('admin.status'),
            key: 's',
            render: (_, u) =>
              u.disabled ? (
                <Tag color="red" title={u.disabledReason}>
                  {t('admin.disabled')}
                </Tag>
              ) : (
                <Tag color="green">{t('admin.active')}</Tag>
              ),
          },
          { title: t('admin.updated'), dataIndex: 'updatedAt', render: fmtDateTime },
          {
            title: t('office.actions'),
            key: 'a',
            render: (_, u) => (
              <Space>
                {u.disabled ? (
                  <Button size="small" onClick={() => setAsking({ kind: 'enable', user: u })} data-testid={`enable-${u.username}`}>
                    {t('admin.enable')}
                  </Button>
                ) : (
                  <Button size="small" danger onClick={() => setAsking({ kind: 'disable', user: u })} data-testid={`disable-${u.username}`}>
                    {t('admin.disable')}
                  </Button>
                )}
                <Button size="small" onClick={() => setAsking({ kind: 'reset', user: u })} data-testid={`reset-${u.username}`}>
                  {t('admin.reset')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {asking && (
        <ReasonModal
          testId="admin-confirm"
          danger={asking.kind === 'disable' || asking.kind === 'revoke' || asking.kind === 'reset'}
          title={t(`journeys.admin.${asking.kind}`, { name: asking.user.name, role: asking.role ? t(`role.${asking.role}`) : '' })}
          description={t(`journeys.admin.${asking.kind}Help`)}
          onConfirm={(reason) => confirm(asking.kind, asking.user, reason, asking.role)}
          onClose={() => setAsking(null)}
        />
      )}
      {creating && (
        <CreateModal
          onClose={() => setCreating(false)}
          onCreated={(username, password) => {
            setCreating(false);
            setSecret({ username, password });
            list.reload();
          }}
        />
      )}
    </div>
  );
}

function CreateModal({ onClose, onCreated }: { onClose: () => void; onCreated: (username: string, password: string) => void }) {
  const { t } = useTranslation();
  const plan = usePlan();
  const notice = useProblemNotice();
  const [form] = Form.useForm<{ username: string; name: string; roles: Role[]; unitId?: string }>();
  const [key] = useState(newCommandId);
  const roles = Form.useWatch('roles', form) ?? [];
  const needsUnit = roles.some((r) => r === 'reporter' || r === 'head');
  return (
    <Modal
      open
      title={t('admin.create')}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'create-user-ok' }}
      onOk={() =>
        form.validateFields().then(
          (v) =>
            users.create({ username: v.username.trim(), name: v.name.trim(), roles: v.roles ?? [], ...(v.unitId ? { unitId: v.unitId } : {}) }, key).then(
              (r) => onCreated(v.username, r.oneTimePassword ?? ''),
              (err) => notice(err, form),
            ),
          () => undefined, // the form marks what is missing; nothing is sent
        )
      }
    >
      <Form form={form} layout="vertical" initialValues={{ roles: [] }}>
        <Form.Item name="username" label={t('login.username')} extra={t('admin.usernameRule')} rules={[{ required: true, message: t('form.required') }]}>
          <Input data-testid="new-username" />
        </Form.Item>
        <Form.Item name="name" label={t('admin.name')} rules={[{ required: true, message: t('form.required') }]}>
          <Input data-testid="new-name" />
        </Form.Item>
        <Form.Item name="roles" label={t('admin.roles')}>
          <Select mode="multiple" options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item name="unitId" label={t('office.unit')} rules={[{ required: needsUnit, message: t('admin.unitRequired') }]}>
          <Select allowClear showSearch optionFilterProp="label" options={unitOptions(plan)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
