import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Progress, Space, Table, Upload } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api/http';
import { problemTitle, useProblemNotice } from './problems';

/** One bad cell of an uploaded workbook, as the API lists them (the sheet, the 1-based row, the column letter). */
export interface UploadCellProblem {
  sheet?: string;
  row: number | null;
  column?: string | null;
  cell: string | null;
  message: string;
}

/**
 * A workbook upload (issue 15: one component for the plan's targets and the peer figures): the
 * template to download, the file to choose (optionally after a field such as the reason, which
 * `ready` checks first), the progress, what was recorded, and when the server refuses the file,
 * every bad cell by sheet, row and column — nothing is recorded then, and the reader fixes the
 * file and chooses it again.
 */
export function UploadCard<O>({
  title,
  chooseLabel,
  chooseTestId,
  templateLabel,
  onTemplate,
  before,
  ready = () => true,
  upload,
  onUploaded,
  describe,
  fixAndRetry,
  testId,
  showSheet = true,
}: {
  title: ReactNode;
  chooseLabel: ReactNode;
  chooseTestId: string;
  templateLabel: ReactNode;
  onTemplate: () => Promise<unknown>;
  /** Fields shown before the file button (the reason). */
  before?: ReactNode;
  /** Called when a file is chosen, before it is sent: false stops (the field shows why). */
  ready?: () => boolean;
  upload: (file: File, onProgress: (fraction: number) => void) => Promise<O>;
  onUploaded: (outcome: O) => void;
  /** The success message for an outcome. */
  describe: (outcome: O) => { title: ReactNode; description?: ReactNode };
  fixAndRetry: (n: number) => ReactNode;
  /** Prefix of the test ids: `${testId}-outcome`, `${testId}-errors`, `${testId}-progress`. */
  testId: string;
  showSheet?: boolean;
}) {
  const { t } = useTranslation();
  const notice = useProblemNotice();
  const [progress, setProgress] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<O | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const listed = (problem?.body.cells as UploadCellProblem[] | undefined) ?? [];
  const cells: UploadCellProblem[] = listed.length ? listed : (problem?.errors ?? []).map((e) => ({ row: null, column: null, cell: e.field, message: e.message }));
  const run = async (file: File) => {
    setOutcome(null);
    setProblem(null);
    if (!ready()) return;
    setProgress(0);
    try {
      const r = await upload(file, (f) => setProgress(Math.round(f * 90)));
      setProgress(100);
      setOutcome(r);
      onUploaded(r);
    } catch (err) {
      if (err instanceof ApiProblem && err.code === 'invalid-spreadsheet') setProblem(err);
      else notice(err);
    } finally {
      setTimeout(() => setProgress(null), 600);
    }
  };
  const shown = outcome ? describe(outcome) : null;
  return (
    <Card size="small" style={{ marginBottom: 16 }} title={title}>
      <Space wrap align="start">
        {before}
        <Upload
          accept=".xlsx"
          showUploadList={false}
          beforeUpload={(file) => {
            void run(file);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} data-testid={chooseTestId}>
            {chooseLabel}
          </Button>
        </Upload>
        <Button icon={<DownloadOutlined />} onClick={() => void onTemplate().catch(notice)}>
          {templateLabel}
        </Button>
        {progress !== null && <Progress percent={progress} size="small" style={{ width: 200 }} status={progress < 100 ? 'active' : 'success'} data-testid={`${testId}-progress`} />}
      </Space>
      {shown && <Alert style={{ marginTop: 12 }} type="success" showIcon data-testid={`${testId}-outcome`} title={shown.title} description={shown.description} />}
      {problem && (
        <div data-testid={`${testId}-errors`} style={{ marginTop: 12 }}>
          <Alert type="error" showIcon title={problemTitle(problem)} description={fixAndRetry(cells.length)} />
          <Table<UploadCellProblem>
            size="small"
            rowKey={(_, i) => String(i)}
            pagination={false}
            style={{ marginTop: 8 }}
            dataSource={cells}
            scroll={{ x: 480 }}
            columns={[
              ...(showSheet ? [{ title: t('upload.sheet'), key: 'sheet', width: 110, render: (_: unknown, c: UploadCellProblem) => c.sheet || '—' }] : []),
              { title: t('upload.row'), key: 'row', width: 70, render: (_, c) => <span data-testid="bad-row">{c.row ?? '—'}</span> },
              { title: t('upload.column'), key: 'column', width: 70, render: (_, c) => <span data-testid="bad-column">{c.column ?? '—'}</span> },
              { title: t('upload.cell'), key: 'cell', width: 80, render: (_, c) => c.cell ?? '—' },
              // The server words each cell's problem in the reader's language in `errors` (in the cells' order); `cells` keeps its code and params.
              { title: t('upload.problem'), key: 'message', render: (_: unknown, c: UploadCellProblem, i: number) => problem?.errors[i]?.message ?? c.message },
            ]}
          />
        </div>
      )}
    </Card>
  );
}
