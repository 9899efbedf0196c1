import { DownloadOutlined, EyeOutlined, PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Card, Empty, Progress, Select, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { attachments } from '../api/endpoints';
import type { AttachmentView } from '../api/models';
import { url } from '../api/http';
import { fmtDateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { useProblemNotice } from './problems';

/** What the server accepts (it checks the content, not the name; this only narrows the file picker). */
const ACCEPT = '.pdf,.jpg,.jpeg,.png,.docx,.xlsx';
const VIEWABLE = /^(image\/(png|jpeg)|application\/pdf)$/;
const CASE_STEPS = ['acknowledge', 'plan', 'feedback', 'review', 'close'] as const;

function fmtSize(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The files attached as evidence to a report (`reports/<plan>/<unit>/<month>`), a case
 * (`cases/<plan>/<unit>/<no>/<caseNo>`) or a decision: listed with who attached them and when,
 * downloaded or viewed (images, PDF) through plain links — the session cookie goes with them —
 * and, for those who may, uploaded. Type and size are checked by the server.
 */
export function AttachmentsCard({ target, canUpload, steps = false }: { target: string; canUpload: boolean; steps?: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const notice = useProblemNotice();
  const list = useAsync(() => attachments.list(target), [target]);
  const [progress, setProgress] = useState<number | null>(null);
  const [step, setStep] = useState<string | undefined>(undefined);
  const send = async (file: File) => {
    setProgress(0);
    try {
      const r = await attachments.upload(target, file, step, (f) => setProgress(Math.round(f * 100)));
      message.success(r.events.length ? t('attachments.uploaded', { name: file.name }) : t('attachments.alreadyThere', { name: file.name }));
      list.reload();
    } catch (err) {
      notice(err);
    } finally {
      setProgress(null);
    }
  };
  const rows = list.data ?? [];
  return (
    <Card
      size="small"
      style={{ marginTop: 16 }}
      data-testid="attachments"
      title={
        <Space>
          <PaperClipOutlined aria-hidden />
          {t('attachments.title')}
        </Space>
      }
    >
      {canUpload && (
        <Space wrap style={{ marginBottom: 12 }}>
          {steps && (
            <Select
              allowClear
              aria-label={t('attachments.step')}
              placeholder={t('attachments.step')}
              style={{ minWidth: 160 }}
              value={step}
              onChange={setStep}
              options={CASE_STEPS.map((s) => ({ value: s, label: t(`caseStep.${s}`) }))}
            />
          )}
          <Upload
            accept={ACCEPT}
            showUploadList={false}
            beforeUpload={(file) => {
              void send(file);
              return false;
            }}
          >
            <Button icon={<UploadOutlined />} loading={progress !== null} data-testid="attachment-upload">
              {t('attachments.choose')}
            </Button>
          </Upload>
          <Typography.Text type="secondary">{t('attachments.hint')}</Typography.Text>
          {progress !== null && <Progress percent={progress} size="small" style={{ width: 160 }} status="active" />}
        </Space>
      )}
      <Table<AttachmentView>
        size="small"
        rowKey="sha256"
        pagination={false}
        loading={list.loading}
        dataSource={rows}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('attachments.none')} /> }}
        // An empty list does not scroll: a scrolling region with nothing to focus is out of the keyboard's reach (WCAG 2.1.1).
        scroll={rows.length ? { x: 640 } : undefined}
        columns={[
          { title: t('attachments.name'), dataIndex: 'name', render: (name: string, a) => <span title={`SHA-256 ${a.sha256}`}>{name}</span> },
          ...(steps ? [{ title: t('attachments.step'), dataIndex: 'step', render: (s?: string) => (s ? t(`caseStep.${s}`) : '—') }] : []),
          { title: t('attachments.size'), dataIndex: 'size', render: fmtSize },
          { title: t('attachments.addedBy'), key: 'by', render: (_, a) => a.addedBy.name ?? a.addedBy.userId },
          { title: t('attachments.addedAt'), dataIndex: 'addedAt', render: fmtDateTime },
          {
            title: t('attachments.actions'),
            key: 'actions',
            render: (_, a) => (
              <Space>
                <a href={url(`/${target}/${a.sha256}`)} download={a.name} aria-label={t('attachments.downloadOf', { name: a.name })}>
                  <DownloadOutlined aria-hidden /> {t('attachments.download')}
                </a>
                {VIEWABLE.test(a.mediaType) && (
                  <a href={url(`/${target}/${a.sha256}`, { inline: 'true' })} target="_blank" rel="noreferrer" aria-label={t('attachments.viewOf', { name: a.name })}>
                    <EyeOutlined aria-hidden /> {t('attachments.view')}
                  </a>
                )}
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
