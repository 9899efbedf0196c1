import { Form, Input, Modal, type ButtonProps } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A destructive or privileged action asks first, and for a reason (issue 15): granting or revoking
 * a role, disabling or enabling a user, resetting a password, approving, publishing. The reason is
 * required here even where the server takes it as optional: it goes into the record with the event.
 * `onConfirm` handles its own errors (the pages' run/notice helpers); the dialog closes after it.
 */
export function ReasonModal({
  title,
  description,
  okText,
  danger,
  testId,
  okTestId,
  onConfirm,
  onClose,
}: {
  title: ReactNode;
  description?: ReactNode;
  okText?: string;
  danger?: boolean;
  testId: string;
  /** The OK button's test id when a journey already names it (default `${testId}-ok`). */
  okTestId?: string;
  onConfirm: (reason: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const ok = () =>
    form.validateFields().then(
      async (v) => {
        setBusy(true);
        try {
          await onConfirm(v.reason.trim());
          onClose();
        } catch {
          // The caller showed the problem; the dialog stays open to try again.
        } finally {
          setBusy(false);
        }
      },
      () => undefined, // the form shows what is missing
    );
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      onOk={() => void ok()}
      okText={okText ?? t('journeys.confirm')}
      okButtonProps={{ danger: !!danger, loading: busy, 'data-testid': okTestId ?? `${testId}-ok` } as ButtonProps}
    >
      <div data-testid={testId}>
        {description && <p>{description}</p>}
        <Form form={form} layout="vertical" onFinish={() => void ok()}>
          <Form.Item name="reason" label={t('form.reason')} rules={[{ required: true, whitespace: true, min: 2, message: t('form.reasonRequired') }]}>
            <Input.TextArea rows={3} autoFocus data-testid={`${testId}-reason`} />
          </Form.Item>
        </Form>
      </div>
    </Modal>
  );
}
