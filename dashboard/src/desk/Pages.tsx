import { useCallback, useEffect, useState } from 'react';
import { Button, Empty, Table, Tag, Typography } from 'antd';
import { api, post } from '../api.ts';
import { tryKey, useI18n } from '../i18n.ts';

/** A delivery as GET /api/tickets/:id/pages and /api/notify/deliveries return it (hub/src/api/notify.ts). */
export interface DeliveryRow {
  key: string;
  ticketId: string | null;
  recipient: string;
  channelId: string;
  channelType: string;
  title: string;
  priority: string;
  state: 'pending' | 'failed' | 'delivered' | 'cancelled' | 'dead';
  attempts: number;
  lastError: string | null;
  createdMs: number;
  outcomeMs: number | null;
}

const STATE_COLOR: Record<DeliveryRow['state'], string> = { pending: 'blue', failed: 'orange', delivered: 'green', cancelled: 'default', dead: 'red' };

function useColumns(extra: { title: string; render: (r: DeliveryRow) => React.ReactNode }[] = []) {
  const { t, lang } = useI18n();
  return [
    { title: t('recipient'), dataIndex: 'recipient', render: (v: string) => v.replace(/^(user|group):/, '') },
    { title: t('channel'), dataIndex: 'channelId' },
    {
      title: t('state'),
      render: (r: DeliveryRow) => (
        <span>
          <Tag color={STATE_COLOR[r.state]} data-testid={`page-${r.channelId}-${r.state}`}>
            {tryKey(t, `delivery.${r.state}`)}
          </Tag>
          {r.attempts > 1 && <Typography.Text type="secondary">×{r.attempts}</Typography.Text>}
          {r.lastError && r.state !== 'delivered' && <div style={{ fontSize: 12, color: '#888' }}>{r.lastError}</div>}
        </span>
      ),
    },
    { title: '', render: (r: DeliveryRow) => new Date(r.outcomeMs ?? r.createdMs).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB') },
    ...extra.map((e) => ({ title: e.title, render: e.render })),
  ];
}

/** Who was paged for one ticket, on which channel, and the outcome (the ticket's timeline). */
export function TicketPages({ ticketId, version }: { ticketId: string; version: number }) {
  const { t } = useI18n();
  const [rows, setRows] = useState<DeliveryRow[]>([]);
  useEffect(() => {
    let on = true;
    const load = () => api<{ items: DeliveryRow[] }>(`/api/tickets/${encodeURIComponent(ticketId)}/pages`).then((r) => on && setRows(r.items), () => undefined);
    void load();
    const timer = setInterval(load, 5000);
    return () => {
      on = false;
      clearInterval(timer);
    };
  }, [ticketId, version]);
  const columns = useColumns();
  return (
    <div data-testid="ticket-pages">
      <Typography.Title level={5}>{t('pages')}</Typography.Title>
      {rows.length ? <Table size="small" rowKey="key" pagination={false} dataSource={rows} columns={columns} /> : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noPages')} />}
    </div>
  );
}

/** The dead-letter list for operators: deliveries given up on, each can be put back in the queue. */
export function DeadLetters({ onOpen }: { onOpen(ticketId: string): void }) {
  const { t } = useI18n();
  const [rows, setRows] = useState<DeliveryRow[]>([]);
  const load = useCallback(() => api<{ items: DeliveryRow[] }>('/api/notify/deliveries?state=dead').then((r) => setRows(r.items), () => undefined), []);
  useEffect(() => {
    void load();
    const timer = setInterval(load, 10_000);
    return () => clearInterval(timer);
  }, [load]);
  const columns = useColumns([
    { title: t('ticket'), render: (r) => (r.ticketId ? <Button type="link" size="small" onClick={() => onOpen(r.ticketId!)}>{r.title}</Button> : r.title) },
    { title: '', render: (r) => <Button size="small" onClick={() => void post('/api/notify/deliveries/retry', { key: r.key }).then(load)}>{t('retry')}</Button> },
  ]);
  return (
    <div data-testid="dead-letters">
      {rows.length ? <Table size="small" rowKey="key" pagination={{ pageSize: 20 }} dataSource={rows} columns={columns} /> : <Empty description={t('noDeadLetters')} />}
    </div>
  );
}
