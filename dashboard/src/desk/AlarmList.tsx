import { useEffect, useMemo, useState } from 'react';
import { Button, Empty, List, Space, Tag, Typography } from 'antd';
import type { LiveTicket } from '@gridhub/core';
import { DEVICE_KIND_LABELS, TICKET_STATUS_LABELS } from '../core.ts';
import { beep } from '../common/beep.ts';
import { byUrgency } from '../common/sla.ts';
import { SlaCountdown } from '../common/SlaCountdown.tsx';
import { pick, useI18n } from '../i18n.ts';
import { useLiveSelect, useLiveStore } from '../live/LiveProvider.tsx';
import { usePlaceText } from '../common/site.ts';

const NEEDS_HANDS = new Set(['new', 'returned']);
export const PRIORITY_COLOR: Record<string, string> = { P1: 'red', P2: 'orange', P3: 'blue' };

/**
 * Live alarms: every open ticket, most urgent first. A P1 nobody has taken yet (new or returned)
 * flashes and beeps every few seconds until someone takes it (opens it) or dispatches it.
 */
export function AlarmList({ onOpen }: { onOpen(id: string): void }) {
  const { t, lang } = useI18n();
  const placeText = usePlaceText();
  const store = useLiveStore();
  const ticketsVersion = useLiveSelect((s) => s.ticketsVersion);
  const [taken, setTaken] = useState<ReadonlySet<string>>(new Set());
  const open = useMemo(() => [...store.get().tickets.values()].filter((x) => x.status !== 'closed' && x.status !== 'resolved').sort(byUrgency(Date.now())), [ticketsVersion, store]);
  const ringing = open.filter((x) => x.priority === 'P1' && NEEDS_HANDS.has(x.status) && !taken.has(x.id));

  useEffect(() => {
    if (!ringing.length) return;
    beep();
    const id = setInterval(() => beep(), 3000);
    return () => clearInterval(id);
  }, [ringing.length > 0]);

  const take = (x: LiveTicket) => {
    setTaken((s) => new Set(s).add(x.id));
    onOpen(x.id);
  };

  if (!open.length) return <Empty description={t('noAlarms')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <List
      size="small"
      dataSource={open.slice(0, 50)}
      aria-label={t('alarms')}
      renderItem={(x) => {
        const flashing = ringing.includes(x);
        return (
          <List.Item
            className={flashing ? 'alarm-flash' : undefined}
            data-testid={`alarm-${x.id}`}
            data-device={x.deviceId}
            data-status={x.status}
            actions={[
              <Button key="take" size="small" type={flashing ? 'primary' : 'default'} danger={flashing} onClick={() => take(x)}>
                {NEEDS_HANDS.has(x.status) ? t('take') : t('detail')}
              </Button>,
            ]}
          >
            <List.Item.Meta
              title={
                <Space size={4} wrap>
                  <Tag color={PRIORITY_COLOR[x.priority]}>{x.priority}</Tag>
                  <Typography.Text strong>{x.title}</Typography.Text>
                </Space>
              }
              description={
                <Space size={4} wrap>
                  <span>{pick(DEVICE_KIND_LABELS[x.deviceKind], lang)}</span>
                  <span>
                    {placeText(x.place.estate, x.place.building)}
                  </span>
                  <Tag>{pick(TICKET_STATUS_LABELS[x.status], lang)}</Tag>
                  <SlaCountdown ticket={x} />
                </Space>
              }
            />
          </List.Item>
        );
      }}
    />
  );
}
