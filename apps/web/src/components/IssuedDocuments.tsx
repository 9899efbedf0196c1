import { App, Button, Card, List, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { documents } from '../api/endpoints';
import { newCommandId, saveBlob } from '../api/http';
import type { DocumentKind, DocumentSummary, IssueDocument } from '../api/models';
import { fmtDateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { useProblemNotice } from './problems';
import { ReasonModal } from './ReasonModal';

/**
 * The official documents (公文, PDF) of one subject: the list with download links, and for whoever
 * may issue them a button that issues the next one (the server numbers, seals and hashes it).
 */
export function IssuedDocuments(props: { planId: string; kind: DocumentKind; subject: IssueDocument; subjectKey: string; canIssue: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const notice = useProblemNotice();
  const [busy, setBusy] = useState(false);
  const list = useAsync(() => documents.list(props.planId, props.subjectKey), [props.planId, props.subjectKey]);
  const send = async (reason?: string) => {
    setBusy(true);
    try {
      await documents.issue(props.planId, props.kind, { ...props.subject, ...(reason ? { reason } : {}) }, newCommandId());
      message.success(t('documents.issued'));
      list.reload();
    } catch (err) {
      notice(err);
      if (reason !== undefined) throw err; // the reason dialog stays open to try again
    } finally {
      setBusy(false);
    }
  };
  // A second document on the same subject supersedes the first: the server asks why (the shared reason dialog, issue 15).
  const [asking, setAsking] = useState(false);
  const issue = () => (list.data?.length ? setAsking(true) : void send());
  const get = async (d: DocumentSummary) => {
    try {
      saveBlob(await documents.pdf(props.planId, d.documentId), `${d.number}.pdf`);
    } catch (err) {
      notice(err);
    }
  };
  return (
    <Card
      size="small"
      title={t('documents.titleOf', { kind: t(`documents.kind.${props.kind}`) })}
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
        dataSource={list.data ?? []}
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
      {asking && (
        <ReasonModal
          testId={`reissue-${props.kind}`}
          title={t('documents.reissueTitle', { kind: t(`documents.kind.${props.kind}`) })}
          description={t('documents.reason')}
          okText={t('documents.issue')}
          onConfirm={(reason) => send(reason)}
          onClose={() => setAsking(false)}
        />
      )}
    </Card>
  );
}
