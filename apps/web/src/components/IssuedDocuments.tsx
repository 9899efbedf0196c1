import { App, Button, Card, Input, List, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { download, newCommandId, request, saveBlob } from '../api/http';
import { fmtDateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { useProblemNotice } from './problems';

interface IssuedDocument {
  documentId: string;
  number: string;
  title: string;
  issuedAt: string;
  issuedBy: { name: string };
  sha256: string;
  supersededBy: string | null;
}

/**
 * The official documents (公文, PDF) of one subject: the list with download links, and for whoever
 * may issue them a button that issues the next one (the server numbers, seals and hashes it).
 */
export function IssuedDocuments(props: { planId: string; kind: string; subject: Record<string, string | number>; subjectKey: string; canIssue: boolean }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const notice = useProblemNotice();
  const [busy, setBusy] = useState(false);
  const list = useAsync(
    () => request<{ documents: IssuedDocument[] }>(`/plans/${encodeURIComponent(props.planId)}/documents`, { query: { subject: props.subjectKey } }),
    [props.planId, props.subjectKey],
  );
  const send = async (reason?: string) => {
    setBusy(true);
    try {
      await request(`/plans/${encodeURIComponent(props.planId)}/documents/issue/${props.kind}`, {
        method: 'POST',
        body: { ...props.subject, ...(reason ? { reason } : {}) },
        idempotencyKey: newCommandId(),
      });
      message.success(t('documents.issued'));
      list.reload();
    } catch (err) {
      notice(err);
    } finally {
      setBusy(false);
    }
  };
  // A second document on the same subject supersedes the first: the server asks why.
  const issue = () => {
    if (!list.data?.documents.length) return void send();
    let reason = '';
    modal.confirm({
      title: t('documents.reason'),
      content: <Input.TextArea rows={2} aria-label={t('form.reason')} onChange={(e) => (reason = e.target.value)} placeholder={t('form.reason')} />,
      onOk: () => send(reason),
    });
  };
  const get = async (d: IssuedDocument) => {
    try {
      saveBlob(await download(`/plans/${encodeURIComponent(props.planId)}/documents/pdf/${encodeURIComponent(d.documentId)}`), `${d.number}.pdf`);
    } catch (err) {
      notice(err);
    }
  };
  return (
    <Card
      size="small"
      title={t('documents.title')}
      style={{ marginTop: 12 }}
      data-testid={`documents-${props.kind}`}
      extra={
        props.canIssue && (
          <Button onClick={issue} loading={busy} data-testid={`issue-${props.kind}`}>
            {t('documents.issue')}
          </Button>
        )
      }
    >
      <List
        size="small"
        locale={{ emptyText: t('documents.none') }}
        dataSource={list.data?.documents ?? []}
        renderItem={(d) => (
          <List.Item
            actions={[
              <Button key="pdf" type="link" onClick={() => void get(d)}>
                {t('documents.download')}
              </Button>,
            ]}
          >
            <Space direction="vertical" size={0}>
              <Typography.Text strong delete={d.supersededBy !== null}>
                {d.number} {d.title}
              </Typography.Text>
              <Typography.Text type="secondary">
                {fmtDateTime(d.issuedAt)} · {d.issuedBy.name} · SHA-256 {d.sha256.slice(0, 16)}…
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
