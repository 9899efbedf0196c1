import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../app/Shell';
import { useSession } from '../app/session';
import { ProblemAlert } from '../components/problems';

export default function LoginPage() {
  const { t } = useTranslation();
  const { login } = useSession();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <div className="login-page">
      <Card className="login-card" title={<span>{t('app.brand')}</span>} extra={<LanguageSwitch />}>
        <Typography.Paragraph type="secondary">{t('login.intro')}</Typography.Paragraph>
        <ProblemAlert error={error} />
        <Form
          layout="vertical"
          requiredMark={false}
          onFinish={async (v: { username: string; password: string }) => {
            setBusy(true);
            setError(undefined);
            try {
              await login(v.username.trim(), v.password);
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('form.required') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('form.required') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
