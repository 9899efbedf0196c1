import { PrinterOutlined } from '@ant-design/icons';
import { Button, Space, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { reporting } from '../api/endpoints';
import { uomSymbol, usePlan } from '../app/plan';
import { ProblemAlert } from '../components/problems';
import { fmtDate, fmtDateTime, fmtValue } from '../lib/format';
import { useAsync } from '../lib/useAsync';

/**
 * The monthly report on paper (the plan still asks for two signed and sealed copies): the Annex 2
 * lines of the unit with its problems, next steps and, for lagging lines, the analysis and
 * countermeasures; then the signature and seal block. Always in Chinese: it is the document filed.
 */
export default function ReportPrintPage() {
  const { t } = useTranslation();
  const plan = usePlan();
  const { unitId = '', period = '' } = useParams();
  const report = useAsync(() => reporting.report(plan.id, unitId, period), [plan.id, unitId, period]);
  if (report.loading && !report.data) return <Spin />;
  if (report.error) return <ProblemAlert error={report.error} />;
  const r = report.data!;
  const [year, month] = r.period.split('-').map(Number) as [number, number];
  const unit = plan.units.find((u) => u.id === r.unitId);
  const lagging = new Set(r.submitted?.lagging ?? []);
  return (
    <div className="print-sheet" data-testid="print-sheet">
      <Space className="no-print" style={{ marginBottom: 16 }}>
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} data-testid="print-now">
          {t('print.print')}
        </Button>
        <span>{t('print.hint', { copies: plan.monthlyReport.paperCopies, room: plan.monthlyReport.officeRoom })}</span>
      </Space>
      <h1 className="print-title">
        {year} 年 {month} 月高质量发展综合绩效指标进展情况报告
      </h1>
      <p className="print-meta">
        报送单位：{unit?.name ?? r.unitName}　　报送时限：{fmtDateTime(r.dueAt)} 前　　状态：{t(`reportStatus.${r.status}`, { lng: 'zh-CN' })}
      </p>
      <table className="print-table">
        <thead>
          <tr>
            <th style={{ width: '5%' }}>序号</th>
            <th style={{ width: '19%' }}>指标内容</th>
            <th style={{ width: '10%' }}>{year} 年度县定目标</th>
            <th style={{ width: '10%' }}>截至本月底完成情况</th>
            <th style={{ width: '6%' }}>六县市排名</th>
            <th>存在问题</th>
            <th>下步举措</th>
          </tr>
        </thead>
        <tbody>
          {r.indicators.map((i) => {
            const l = r.lines.find((x) => x.indicatorNo === i.no);
            const symbol = uomSymbol(plan, i.unitOfMeasure);
            return [
              <tr key={i.no}>
                <td className="c">{i.no}</td>
                <td>{i.name}</td>
                <td className="c">{fmtValue(i.target, symbol)}</td>
                <td className="c">{fmtValue(l?.value, symbol)}</td>
                <td className="c">
                  {l?.rank ?? '—'}
                  {l?.rankSource === 'self-reported' ? `（${t('unit.selfReported')}）` : ''}
                </td>
                <td>{l?.problems}</td>
                <td>{l?.nextSteps}</td>
              </tr>,
              (lagging.has(i.no) || l?.analysis) && (
                <tr key={`${i.no}-lag`} className="lag-row">
                  <td />
                  <td colSpan={6}>
                    <strong>短板指标 · 落后原因分析：</strong>
                    {l?.analysis}
                    <br />
                    <strong>应对举措：</strong>
                    {l?.countermeasures}
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
      <div className="signature-block" data-testid="signature-block">
        <div>
          <p>主要负责人（签字）：{r.signature ? <span className="signed-name">{r.signature.name}</span> : <span className="blank">　　　　　　</span>}</p>
          <p>签字时间：{r.signature ? fmtDateTime(r.signature.at) : '　　年　　月　　日'}</p>
          {r.signature && <p className="hash">内容摘要（SHA-256）：{r.signature.contentHash}</p>}
        </div>
        <div className="seal">
          <div className="seal-box">{r.signature ? r.signature.seal.unitName : '（单位印章）'}</div>
          <p>{fmtDate(r.signature?.at ?? null)}</p>
        </div>
      </div>
      <p className="print-footer">
        报送：{plan.monthlyReport.deliverTo}（{plan.monthlyReport.officeRoom}）纸质版一式{plan.monthlyReport.paperCopies}份；电子版：{plan.monthlyReport.email}
      </p>
    </div>
  );
}
