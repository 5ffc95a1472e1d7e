import { memo, useEffect, useMemo } from 'react';
import { Button, Empty, Tag, Typography } from 'antd';
import type { LiveTicket, User } from '@gridhub/core';
import { DEVICE_KIND_LABELS, mayTake, needsAcknowledgement, TICKET_STATUS_LABELS } from '../core.ts';
import { setSiren, type SirenLevel } from '../common/beep.ts';
import { byAlarmUrgency, incidentsOf } from '../common/incidents.ts';
import { SlaCountdown } from '../common/SlaCountdown.tsx';
import { act } from '../common/tickets.ts';
import { pick, ruleTitle, useI18n } from '../i18n.ts';
import { useLiveSelect, useLiveStore } from '../live/LiveProvider.tsx';
import { usePlaceText } from '../common/site.ts';
import { IncidentRow } from './IncidentRow.tsx';

export const PRIORITY_COLOR: Record<string, string> = { P1: 'red', P2: 'orange', P3: 'blue' };

/** The siren a set of alarms calls for: P1 if any P1 waits for acknowledgement, else P2, else off. */
export function sirenFor(tickets: readonly LiveTicket[]): SirenLevel {
  const waiting = tickets.filter(needsAcknowledgement);
  return waiting.some((x) => x.priority === 'P1') ? 'P1' : waiting.length ? 'P2' : 'off';
}

/**
 * Live alarms. Incidents (a confirmed fire) first, one row each; then every other open ticket,
 * in urgency order (common/incidents.ts): not acknowledged by priority and newest, open by
 * deadline, cleared by themselves and resolved last. Every P1 and P2 alarm not yet acknowledged
 * (接警) flashes, and the desk sounds (louder for P1) until it is acknowledged; nothing else
 * silences it.
 */
export function AlarmList({ onOpen, user }: { onOpen(id: string): void; user: User }) {
  const { t } = useI18n();
  const store = useLiveStore();
  const ticketsVersion = useLiveSelect((s) => s.ticketsVersion);
  const { incidents, loose, all } = useMemo(() => {
    const all = [...store.get().tickets.values()].filter((x) => x.status !== 'closed');
    const incidents = incidentsOf(all, store.get().devices);
    const inIncident = new Set(incidents.flatMap((i) => i.tickets.map((x) => x.id)));
    return { incidents, loose: all.filter((x) => !inIncident.has(x.id)).sort(byAlarmUrgency(Date.now())), all };
  }, [ticketsVersion, store]);
  const mayAck = mayTake(user.role, 'acknowledge');
  const siren = mayAck ? sirenFor(all) : 'off';

  useEffect(() => setSiren(siren), [siren]);
  useEffect(() => () => setSiren('off'), []);

  if (!incidents.length && !loose.length) return <Empty description={t('noAlarms')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <div aria-label={t('alarms')} data-siren={siren}>
      {incidents.map((i) => (
        <IncidentRow key={i.id} incident={i} user={user} onOpen={onOpen} />
      ))}
      {loose.slice(0, 60).map((x) => (
        <AlarmRow key={x.id} ticket={x} onOpen={onOpen} mayAcknowledge={mayAck} />
      ))}
    </div>
  );
}

/**
 * One alarm row. Memoised on the ticket object: the live store replaces a ticket only when it
 * changes, so a delta re-renders the rows it touched, not all sixty: each render of antd's
 * ellipsis measures its text (a forced layout per row), which made every delta 100-250 ms.
 */
const AlarmRow = memo(function AlarmRow({ ticket: x, onOpen, mayAcknowledge }: { ticket: LiveTicket; onOpen(id: string): void; mayAcknowledge: boolean }) {
  const { t, lang } = useI18n();
  const placeText = usePlaceText();
  const store = useLiveStore();
  const acknowledge = async () => {
    try {
      store.upsertTicket((await act(x.id, 'acknowledge')) as LiveTicket);
    } catch {
      // Someone else acknowledged it meanwhile (409): the live state brings their acknowledgement.
    }
  };
  const flashing = needsAcknowledgement(x);
  const muted = x.status === 'resolved' || x.conditionClearedMs !== null;
  return (
    <div
      className={flashing ? 'alarm-flash' : undefined}
      data-testid={`alarm-${x.id}`}
      data-device={x.deviceId}
      data-status={x.status}
      data-acknowledged={x.acknowledgedMs !== null}
      style={{ display: 'grid', gridTemplateColumns: '34px minmax(0, 1fr) auto', alignItems: 'center', gap: 6, padding: '3px 4px', borderBottom: '1px solid #f0f0f0', opacity: muted ? 0.65 : 1 }}
    >
      <Tag color={PRIORITY_COLOR[x.priority]} style={{ marginInlineEnd: 0, textAlign: 'center' }}>{x.priority}</Tag>
      <div role="link" tabIndex={0} onClick={() => onOpen(x.id)} onKeyDown={(e) => e.key === 'Enter' && onOpen(x.id)} style={{ cursor: 'pointer', minWidth: 0 }}>
        <Typography.Text strong ellipsis style={{ display: 'block' }}>
          {ruleTitle(t, x.ruleId, x.title)} · {placeText(x.place.estate, x.place.building, x.place.unit)}
        </Typography.Text>
        <span style={{ display: 'flex', gap: 6, fontSize: 12, color: '#595959', whiteSpace: 'nowrap', overflow: 'hidden' }}>
          <span>{pick(DEVICE_KIND_LABELS[x.deviceKind], lang)}</span>
          <span>{pick(TICKET_STATUS_LABELS[x.status], lang)}</span>
          {x.conditionClearedMs !== null && <span>{t('clearedBySelf')}</span>}
          {!muted && <SlaCountdown ticket={x} />}
        </span>
      </div>
      {/* One button per row: 接警 takes the alarm and opens it; otherwise the detail. */}
      {flashing && mayAcknowledge ? (
        <Button size="small" type="primary" danger data-action="acknowledge" onClick={() => void acknowledge().then(() => onOpen(x.id))}>
          {t('ackAll')}
        </Button>
      ) : (
        <Button size="small" onClick={() => onOpen(x.id)}>{t('detail')}</Button>
      )}
    </div>
  );
});
