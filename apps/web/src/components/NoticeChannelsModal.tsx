import { App, Checkbox, Form, Input, Modal, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notices } from '../api/endpoints';
import type { NoticeChannel } from '../api/models';
import { useProblemNotice } from './problems';

/*
 * Its own chunk (issue 15): the Shell is on every first load, and this form (Ant Design's Form,
 * Checkbox and their validator) is opened from the user menu only; Shell fetches it when asked for.
 */

/** Where my notices go besides the inbox: the channels this deployment has, and an address for e-mail. */
export default function NoticeChannelsModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const notice = useProblemNotice();
  const [form] = Form.useForm<{ channels: NoticeChannel[]; email: string }>();
  const [available, setAvailable] = useState<NoticeChannel[]>([]);
  useEffect(() => {
    if (!open) return;
    notices.channels().then((c) => {
      setAvailable(c.available);
      form.setFieldsValue({ channels: c.channels, email: c.email ?? '' });
    }, notice);
  }, [open, form, notice]);
  const save = async () => {
    const v = await form.validateFields();
    try {
      await notices.choose(v.channels ?? [], v.email ? v.email : null);
      message.success(t('notices.saved'));
      onClose();
    } catch (err) {
      notice(err, form);
    }
  };
  return (
    <Modal open={open} title={t('notices.channels')} onCancel={onClose} onOk={() => void save()} okText={t('notices.save')} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Typography.Paragraph type="secondary">{t('notices.channelsHint')}</Typography.Paragraph>
        <Form.Item name="channels" label={t('notices.channelList')}>
          <Checkbox.Group options={(['email', 'dingtalk', 'wecom'] as const).map((c) => ({ value: c, label: t(`notices.channel.${c}`), disabled: !available.includes(c) }))} />
        </Form.Item>
        <Form.Item name="email" label={t('notices.email')} rules={[{ type: 'email', message: t('notices.emailInvalid') }]}>
          <Input type="email" autoComplete="email" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
