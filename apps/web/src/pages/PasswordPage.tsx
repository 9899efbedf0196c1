import { Alert, App, Button, Card, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { auth } from '../api/endpoints';
import { LanguageSwitch } from '../app/Shell';
import { useSession } from '../app/session';
import { ProblemAlert } from '../components/problems';

const MIN_LENGTH = 10;

/** Required after a one-time password (nothing else works until it is done), and from the user menu. */
export default function PasswordPage({ required = false }: { required?: boolean }) {
  const { t } = useTranslation();
  const { passwordChanged, logout } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const card = (
    <Card className="login-card" title={t('password.title')} extra={required ? <LanguageSwitch /> : undefined}>
      {required && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('password.required')} />}
      <ProblemAlert error={error} />
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={async (v: { current: string; next: string }) => {
          setBusy(true);
          setError(undefined);
          try {
            await auth.changePassword(v.current, v.next);
            message.success(t('password.changed'));
            await passwordChanged();
            if (!required) navigate(-1);
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item name="current" label={t('password.current')} rules={[{ required: true, message: t('form.required') }]}>
          <Input.Password autoComplete="current-password" data-testid="password-current" />
        </Form.Item>
        <Form.Item
          name="next"
          label={t('password.next')}
          extra={t('password.rule', { min: MIN_LENGTH })}
          rules={[
            { required: true, message: t('form.required') },
            { min: MIN_LENGTH, message: t('password.rule', { min: MIN_LENGTH }) },
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="password-next" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['next']}
          rules={[
            { required: true, message: t('form.required') },
            ({ getFieldValue }) => ({
              validator: (_, v) => (v === getFieldValue('next') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="password-confirm" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="password-submit">
          {t('password.submit')}
        </Button>
        {required && (
          <Button type="link" block onClick={() => void logout()} style={{ marginTop: 8 }}>
            {t('nav.logout')}
          </Button>
        )}
      </Form>
    </Card>
  );
  return required ? <div className="login-page">{card}</div> : <div style={{ maxWidth: 420 }}>{card}</div>;
}
