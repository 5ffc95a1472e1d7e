import type { LiveTicket } from '@gridhub/core';
import { formatDuration, useI18n } from '../i18n.ts';
import { nextDeadline, TONE_COLOR } from './sla.ts';
import { useNow } from './useNow.ts';

/** "8 min left" in green, amber near the deadline, red "Overdue" past it. */
export function SlaCountdown({ ticket }: { ticket: LiveTicket }) {
  const { t } = useI18n();
  const now = useNow();
  const d = nextDeadline(ticket, now);
  if (!d) return null;
  const text = d.tone === 'overdue' ? t('overdue') : t('dueIn', { t: formatDuration(t, d.leftMs) });
  return (
    <span data-sla={d.tone} style={{ color: '#fff', background: TONE_COLOR[d.tone], borderRadius: 4, padding: '0 6px', fontWeight: 600, whiteSpace: 'nowrap' }}>
      {text}
    </span>
  );
}
