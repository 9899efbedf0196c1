import { Form, Input, Modal, type ButtonProps, type FormItemProps } from 'antd';
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
          <ReasonField testId={`${testId}-reason`} autoFocus />
        </Form>
      </div>
    </Modal>
  );
}

/** A reason typed outside a form (a card's reason before a file is chosen): its value, and a check that marks it and focuses it when missing. */
export interface StandaloneReason {
  id: string;
  value: string;
  error: boolean;
  set: (value: string) => void;
  /** The trimmed reason, or null (the field then shows what is missing and takes the focus). */
  check: () => string | null;
}

export function useReason(id: string): StandaloneReason {
  const [value, setValue] = useState('');
  const [error, setError] = useState(false);
  return {
    id,
    value,
    error,
    set: (v) => {
      setValue(v);
      setError(false);
    },
    check: () => {
      if (value.trim().length >= 2) return value.trim();
      setError(true);
      document.getElementById(id)?.focus();
      return null;
    },
  };
}

/**
 * The "reason" field (issue 15: one component for what PlanPage wrote three times): required, at
 * least two characters and not only spaces, since it goes into the record with the event. In a
 * form it is the item `name` (default `reason`) with its rules; given `reason` (useReason) it
 * stands alone, one line wide, for a card whose action is a file chosen.
 */
export function ReasonField({
  testId,
  name = 'reason',
  label,
  rows = 3,
  extra,
  required = true,
  autoFocus,
  reason,
  width,
}: {
  testId: string;
  name?: FormItemProps['name'];
  label?: FormItemProps['label'];
  rows?: number;
  extra?: FormItemProps['extra'];
  required?: boolean;
  autoFocus?: boolean;
  reason?: StandaloneReason;
  width?: number;
}) {
  const { t } = useTranslation();
  if (reason) {
    return (
      <Form.Item
        label={label ?? t('form.reason')}
        htmlFor={reason.id}
        required
        validateStatus={reason.error ? 'error' : undefined}
        help={reason.error ? t('form.reasonRequired') : undefined}
        style={{ marginBottom: 0 }}
      >
        <Input
          id={reason.id}
          value={reason.value}
          maxLength={2000}
          style={{ width: width ?? 320, maxWidth: '100%' }}
          onChange={(e) => reason.set(e.target.value)}
          data-testid={testId}
        />
      </Form.Item>
    );
  }
  return (
    <Form.Item name={name} label={label ?? t('form.reason')} extra={extra} rules={[{ required, whitespace: true, min: 2, message: t('form.reasonRequired') }]}>
      <Input.TextArea rows={rows} maxLength={2000} autoFocus={autoFocus} data-testid={testId} />
    </Form.Item>
  );
}
