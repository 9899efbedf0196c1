import { Badge, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { BoardRow } from '../api/models';

/** A monthly report's status, as the unit and the office both see it. */
export function ReportStatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  const colour: Record<string, string> = { open: 'default', draft: 'blue', submitted: 'gold', signed: 'cyan', received: 'green', returned: 'red', none: 'default' };
  return (
    <Tag color={colour[status] ?? 'default'} data-testid="report-status" data-status={status}>
      {t(`reportStatus.${status}`)}
    </Tag>
  );
}

export type Light = 'overdue' | 'due-soon' | 'on-track' | 'closed';

/** The deadline light of a case: red past due, yellow within two days, green otherwise. */
export function lightOf(c: Pick<BoardRow, 'status' | 'overdue' | 'nextDeadline'>, now: string): Light {
  if (c.status === 'closed') return 'closed';
  if (c.overdue) return 'overdue';
  if (c.nextDeadline && Date.parse(c.nextDeadline.dueAt) - Date.parse(now) < 2 * 86_400_000) return 'due-soon';
  return 'on-track';
}

export function DeadlineLight({ light }: { light: Light }) {
  const { t } = useTranslation();
  const status = { overdue: 'error', 'due-soon': 'warning', 'on-track': 'success', closed: 'default' } as const;
  return <Badge status={status[light]} text={t(`light.${light}`)} data-testid="deadline-light" data-light={light} />;
}

/** A case's escalation: a public notice (通报) or, stronger, an admonitory talk (约谈). */
export function EscalationTag({ kind }: { kind: BoardRow['escalations'][number]['kind'] }) {
  const { t } = useTranslation();
  return <Tag color={kind === 'admonitory-talk' ? 'magenta' : 'orange'}>{t(`escalation.${kind}`)}</Tag>;
}
