import { memo, useMemo } from 'react';
import { Badge, Card, Space, Tag, Typography } from 'antd';
import type { LiveTicket, TicketStatus } from '@gridhub/core';
import { TICKET_STATUS_LABELS } from '../core.ts';
import { byUrgency } from '../common/sla.ts';
import { SlaCountdown } from '../common/SlaCountdown.tsx';
import { pick, ruleTitle, useI18n } from '../i18n.ts';
import { useLiveSelect, useLiveStore } from '../live/LiveProvider.tsx';
import { PRIORITY_COLOR } from './AlarmList.tsx';
import { usePeople, usePlaceText } from '../common/site.ts';

const COLUMNS: TicketStatus[] = ['new', 'returned', 'dispatched', 'accepted', 'on_site', 'with_department', 'resolved', 'closed'];

/** The ticket board (工单看板): one column per state, cards with SLA countdowns. */
export const TicketBoard = memo(function TicketBoard({ onOpen }: { onOpen(id: string): void }) {
  const { lang } = useI18n();
  const store = useLiveStore();
  const ticketsVersion = useLiveSelect((s) => s.ticketsVersion);
  const columns = useMemo(() => {
    const by = new Map<TicketStatus, LiveTicket[]>(COLUMNS.map((c) => [c, []]));
    for (const x of store.get().tickets.values()) by.get(x.status)?.push(x);
    for (const list of by.values()) list.sort(byUrgency(Date.now()));
    return by;
  }, [ticketsVersion, store]);

  return useMemo(() => (
    <div style={{ display: 'grid', gridTemplateColumns: `repeat(${COLUMNS.length}, minmax(92px, 1fr))`, gap: 4, overflowX: 'auto' }}>
      {COLUMNS.map((status) => {
        const list = columns.get(status) ?? [];
        return (
          <section key={status} aria-label={pick(TICKET_STATUS_LABELS[status], lang)} data-testid={`column-${status}`} style={{ background: '#f5f5f5', borderRadius: 6, padding: 4, minHeight: 120, minWidth: 0 }}>
            {/* A label never breaks inside a word ("Dispatche/d"): the count wraps below it instead. */}
            <div style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', justifyContent: 'space-between', gap: 2, marginBottom: 6, minHeight: 22 }}>
              <Typography.Text strong data-testid="column-label" style={{ fontSize: 13, lineHeight: 1.2, wordBreak: 'keep-all', overflowWrap: 'normal' }}>{pick(TICKET_STATUS_LABELS[status], lang)}</Typography.Text>
              <Badge count={list.length} showZero color="#595959" size="small" />
            </div>
            {list.slice(0, 30).map((x) => (
              <TicketCard key={x.id} ticket={x} onOpen={onOpen} />
            ))}
          </section>
        );
      })}
    </div>
  ), [columns, lang, onOpen]);
});

/** One card, memoised on the ticket object (the live store replaces a ticket only when it changes). */
const TicketCard = memo(function TicketCard({ ticket: x, onOpen }: { ticket: LiveTicket; onOpen(id: string): void }) {
  const { t } = useI18n();
  const placeText = usePlaceText();
  const { nameOf } = usePeople();
  return (
    <Card
      size="small"
      hoverable
      tabIndex={0}
      role="button"
      data-testid={`card-${x.id}`}
      onClick={() => onOpen(x.id)}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onOpen(x.id)}
      style={{ marginBottom: 6 }}
      styles={{ body: { padding: 8 } }}
    >
      <Space direction="vertical" size={2} style={{ width: '100%' }}>
        <Tag color={PRIORITY_COLOR[x.priority]}>{x.priority}</Tag>
        {/* Two lines at most, clamped by CSS (antd's measured ellipsis is too slow for a busy board). */}
        <div title={ruleTitle(t, x.ruleId, x.title)} style={{ fontWeight: 600, lineHeight: 1.25, display: '-webkit-box', WebkitLineClamp: 2, WebkitBoxOrient: 'vertical', overflow: 'hidden', wordBreak: 'break-word' }}>
          {ruleTitle(t, x.ruleId, x.title)}
        </div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {placeText(x.place.estate, x.place.building)} · {nameOf(x.assigneeId)}
        </Typography.Text>
        <SlaCountdown ticket={x} />
      </Space>
    </Card>
  );
});
