import { ClockCircleOutlined } from '@ant-design/icons';
import { DatePicker } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

/**
 * The calendar behind AsOfPicker (common.tsx), in its own chunk (issue 15): Ant Design's DatePicker
 * is 30 KB of gzip that a reader who only looks at "now" never needs, so it is fetched when the
 * reader asks for a moment, and opens at once with the focus in it.
 */
export default function AsOfDatePicker({ value, onChange }: { value: string | null; onChange: (iso: string | null) => void }) {
  const { t } = useTranslation();
  return (
    <DatePicker
      showTime={{ format: 'HH:mm' }}
      format="YYYY-MM-DD HH:mm"
      placeholder={t('asOf.now')}
      value={value ? dayjs(value) : null}
      onChange={(d) => onChange(d ? d.toDate().toISOString() : null)}
      prefix={<ClockCircleOutlined />}
      aria-label={t('asOf.label')}
      data-testid="as-of-picker"
      allowClear
      autoFocus
      defaultOpen
    />
  );
}
