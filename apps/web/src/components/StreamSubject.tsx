import { useTranslation } from 'react-i18next';
import { unitName, usePlanIfAny } from '../app/plan';
import { fmtPeriod } from '../lib/format';

const PERIOD = String.raw`(\d{4}(?:-(?:\d{2}|Q[1-4]))?)`;

/**
 * What a stream of the record is about, in words (issue 14): "财政局 2023年3月 月报", not the internal
 * id `report-ye-county-2023-czj-2023-03`. Plan ids contain hyphens, so each kind is matched whole.
 */
export function useStreamSubject(): (streamId: string) => string {
  const { t } = useTranslation();
  const plan = usePlanIfAny();
  const unit = (id: string) => (plan ? unitName(plan, id) : id);
  return (streamId: string) => {
    let m = new RegExp(String.raw`^report-.+-([a-z0-9]+)-(\d{4}-\d{2})$`).exec(streamId);
    if (m) return t('subject.report', { unit: unit(m[1]!), period: fmtPeriod(m[2]) });
    m = new RegExp(String.raw`^figures-.+-(\d+)-${PERIOD}$`).exec(streamId);
    if (m) return t('subject.figures', { no: m[1], period: fmtPeriod(m[2]) });
    m = new RegExp(String.raw`^cases-.+-([a-z0-9]+)-(\d+)$`).exec(streamId);
    if (m) return t('subject.cases', { unit: unit(m[1]!), no: m[2] });
    m = new RegExp(String.raw`^assessment-.+-(\d{4}-Q[1-4])$`).exec(streamId);
    if (m) return t('subject.assessment', { period: fmtPeriod(m[1]) });
    m = /^review-.+-(\d{4})$/.exec(streamId);
    if (m) return t('subject.review', { year: m[1] });
    if (streamId.startsWith('scoring-')) return t('subject.scoring');
    if (streamId.startsWith('plan-')) return t('subject.plan');
    if (streamId.startsWith('documents-')) return t('subject.documents');
    if (streamId.startsWith('seals')) return t('subject.seals');
    return t('subject.other');
  };
}

/** A stream's subject in words, with the internal id for those who need it (title). */
export function StreamSubject({ streamId }: { streamId: string }) {
  const subject = useStreamSubject();
  return <span title={streamId}>{subject(streamId)}</span>;
}
