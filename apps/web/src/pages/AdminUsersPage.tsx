import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { users } from '../api/endpoints';
import { newCommandId } from '../api/http';
import type { Role, User } from '../api/types';
import { unitName, unitOptions, usePlan } from '../app/plan';
import { PageTitle } from '../components/common';
import { ProblemAlert, useProblemNotice } from '../components/problems';
import { fmtDateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';

const ROLES: Role[] = ['reporter', 'head', 'office', 'supervisor', 'leader', 'auditor', 'admin'];

/** Administrators: users, their unit and roles; disabling with a reason; one-time passwords shown once. */
export default function AdminUsersPage() {
  const { t } = useTranslation();
  const plan = usePlan();
  const list = useAsync(() => users.list(), []);
  const notice = useProblemNotice();
  const { message, modal } = App.useApp();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);
  const run = (fn: () => Promise<unknown>) =>
    fn().then(
      () => {
        message.success(t('admin.done'));
        list.reload();
      },
      (err) => notice(err),
    );

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
      <Table<User>
        size="small"
        rowKey="userId"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={false}
        scroll={{ x: 900 }}
        columns={[
          { title: t('login.username'), dataIndex: 'username' },
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
                      void run(() => users.revoke(u.userId, r, u.revision));
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
                    onChange={(r: Role) => void run(() => users.grant(u.userId, r, u.revision))}
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
                  <Button size="small" onClick={() => void run(() => users.enable(u.userId, u.revision))}>
                    {t('admin.enable')}
                  </Button>
                ) : (
                  <Button
                    size="small"
                    danger
                    onClick={() => {
                      let reason = '';
                      modal.confirm({
                        title: t('admin.disableTitle', { name: u.name }),
                        content: <Input.TextArea rows={2} placeholder={t('form.reason')} onChange={(e) => (reason = e.target.value)} />,
                        onOk: () => run(() => users.disable(u.userId, reason, u.revision)),
                      });
                    }}
                  >
                    {t('admin.disable')}
                  </Button>
                )}
                <Popconfirm
                  title={t('admin.resetConfirm')}
                  onConfirm={() =>
                    users.resetPassword(u.userId, u.revision).then(
                      (r) => {
                        setSecret({ username: u.username, password: r.oneTimePassword });
                        list.reload();
                      },
                      (err) => notice(err),
                    )
                  }
                >
                  <Button size="small">{t('admin.reset')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
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
        form.validateFields().then((v) =>
          users.create({ username: v.username.trim(), name: v.name.trim(), roles: v.roles ?? [], ...(v.unitId ? { unitId: v.unitId } : {}) }, key).then(
            (r) => onCreated(v.username, r.oneTimePassword ?? ''),
            (err) => notice(err, form),
          ),
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
