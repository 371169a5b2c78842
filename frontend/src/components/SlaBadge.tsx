import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { durationParts, liveClock, type Calendar, type SlaClock, type SlaState } from '../lib/sla';
import { formatDateTime } from '../lib/time';
import { useNow } from '../lib/useNow';

const COLORS: Record<SlaState, string> = {
  ok: 'green',
  warning: 'orange',
  breached: 'red',
  met: 'blue',
  paused: 'default',
};

interface Props {
  clock: SlaClock;
  calendar: Calendar;
  /** When the clock was read (the query's dataUpdatedAt). */
  fetchedAt: number;
  target: 'first_response' | 'resolution' | 'update';
}

export function SlaBadge({ clock, calendar, fetchedAt, target }: Props) {
  const { t } = useTranslation();
  const now = useNow();
  const live = liveClock(clock, calendar, fetchedAt, now);
  const parts = durationParts(live.msToDue);
  const time = (Object.entries(parts) as [keyof typeof parts, number][]).map(([unit, n]) => t(`sla.units.${unit}`, { n })).join(' ');
  let text: string = t(`enums.sla_state.${live.state}`);
  if (live.state === 'ok' || live.state === 'warning') text = `${text} · ${t('sla.dueIn', { time })}`;
  if (live.state === 'breached') text = `${text} · ${t('sla.overdue', { time })}`;
  return (
    <Tooltip title={`${t(`sla.${target}`)} · ${t('sla.due', { time: formatDateTime(clock.due_at) })}`}>
      <Tag color={COLORS[live.state]} data-testid={`sla-${target}`} data-state={live.state}>
        {t(`sla.${target}`)} {text}
      </Tag>
    </Tooltip>
  );
}
