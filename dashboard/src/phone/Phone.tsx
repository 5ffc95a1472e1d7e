import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Empty, Layout, Modal, Space, Tag, Typography } from 'antd';
import { BellOutlined, EnvironmentOutlined, PhoneOutlined } from '@ant-design/icons';
import type { LiveTicket, RealtimeNotice, User } from '@gridhub/core';
import { DEVICE_KIND_LABELS, TICKET_STATUS_LABELS } from '../core.ts';
import { ActionButtons } from '../common/ActionForm.tsx';
import { unlockAudio } from '../common/beep.ts';
import { Header } from '../common/Header.tsx';
import { byUrgency } from '../common/sla.ts';
import { SlaCountdown } from '../common/SlaCountdown.tsx';
import { allowedActions } from '../common/tickets.ts';
import { pick, useI18n } from '../i18n.ts';
import { useLive, useNotice } from '../live/LiveProvider.tsx';
import { PRIORITY_COLOR } from '../desk/AlarmList.tsx';
import { SitePlan } from '../desk/SitePlan.tsx';
import { alertDispatch, enableAlerts, registerServiceWorker, subscribePush } from './notify.ts';
import { usePlaceText } from '../common/site.ts';

/** The control room's number for the warden's call button (set VITE_CONTROL_ROOM_TEL at build). */
const CONTROL_ROOM_TEL: string = import.meta.env.VITE_CONTROL_ROOM_TEL ?? '+86-571-8888-0000';

/**
 * The warden's phone (网格员): my open tickets by priority and deadline, big buttons for accept,
 * arrived, resolve (note + camera photos), return with a reason; call the control room; the
 * device's place on the estate plan. A new dispatch rings, vibrates and notifies. After a
 * reconnect the socket's fresh snapshot replaces the list (catches up).
 */
export default function Phone({ user, logout }: { user: User; logout(): void }) {
  const { t, lang } = useI18n();
  const placeText = usePlaceText();
  const live = useLive();
  const [place, setPlace] = useState<LiveTicket | null>(null);
  const [alerts, setAlerts] = useState<NotificationPermission | 'unsupported' | 'default'>(() => ('Notification' in window ? Notification.permission : 'unsupported'));

  useEffect(() => {
    // Once notifications are allowed, this browser also takes web push (dispatches while the app is closed).
    void registerServiceWorker().then(() => (alerts === 'granted' ? subscribePush() : null));
  }, []);

  const onNotice = useCallback(
    (n: RealtimeNotice) => {
      if (n.ticket.assigneeId === user.id) void alertDispatch(t('newDispatch', { title: n.ticket.title }), `${n.ticket.priority} · ${placeText(n.ticket.place.estate, n.ticket.place.building)}`, n.ticket.id);
    },
    [user.id, t, placeText],
  );
  useNotice(onNotice);

  const mine = useMemo(() => {
    const list = [...live.tickets.values()].filter(
      (x) => x.status !== 'closed' && x.status !== 'resolved' && (x.assigneeId === user.id || (user.role === 'grid_leader' && x.status !== 'with_department')),
    );
    return list.sort(byUrgency(Date.now()));
  }, [live.ticketsVersion, user.id, user.role]);

  return (
    <Layout style={{ minHeight: '100vh', background: '#f5f5f5' }} onPointerDown={unlockAudio}>
      <Layout.Header style={{ background: '#0b1a2e', color: '#fff', height: 'auto', lineHeight: 1.4, padding: '8px 12px', position: 'sticky', top: 0, zIndex: 10 }}>
        <Header user={user} logout={logout} title={`${t('myTickets')} · ${user.name}`} compact />
      </Layout.Header>
      <Layout.Content style={{ padding: 10, maxWidth: 560, width: '100%', margin: '0 auto' }}>
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Space wrap>
            <Button href={`tel:${CONTROL_ROOM_TEL.replace(/[^+0-9]/g, '')}`} size="large" aria-label={t('callControl')} icon={<PhoneOutlined />}>
              {t('callControl')}
            </Button>
            {alerts === 'default' && (
              <Button size="large" icon={<BellOutlined />} onClick={async () => {
                  unlockAudio();
                  const p = await enableAlerts();
                  setAlerts(p);
                  if (p === 'granted') await subscribePush();
                }}>
                {t('enableAlerts')}
              </Button>
            )}
          </Space>
          {!live.connected && <Alert type="warning" showIcon message={t('offline')} />}
          {mine.length === 0 && <Empty description={t('noTickets')} />}
          {mine.map((x) => (
            <Card
              key={x.id}
              data-testid={`phone-ticket-${x.id}`}
              size="small"
              style={{ borderLeft: `6px solid ${x.priority === 'P1' ? '#cf1322' : x.priority === 'P2' ? '#d48806' : '#1677ff'}` }}
              title={
                <Space size={4} wrap>
                  <Tag color={PRIORITY_COLOR[x.priority]}>{x.priority}</Tag>
                  <span style={{ whiteSpace: 'normal' }}>{x.title}</span>
                </Space>
              }
              extra={<Tag data-testid="phone-status">{pick(TICKET_STATUS_LABELS[x.status], lang)}</Tag>}
            >
              <Space direction="vertical" style={{ width: '100%' }}>
                <Typography.Text>
                  {pick(DEVICE_KIND_LABELS[x.deviceKind], lang)} · {placeText(x.place.estate, x.place.building, x.place.unit)}
                </Typography.Text>
                <SlaCountdown ticket={x} />
                <ActionButtons ticket={x} actions={allowedActions(x, user.role).filter((a) => a !== 'transfer' && a !== 'dispatch')} size="large" block />
                <Button block icon={<EnvironmentOutlined />} onClick={() => setPlace(x)}>
                  {t('directions')}
                </Button>
              </Space>
            </Card>
          ))}
        </Space>
      </Layout.Content>
      <Modal open={!!place} onCancel={() => setPlace(null)} footer={null} title={place ? `${t('directions')} · ${place.deviceId}` : ''} width="100%" style={{ maxWidth: 560, top: 8 }}>
        {place && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text strong>{placeText(place.place.estate, place.place.building, place.place.unit)}</Typography.Text>
            <SitePlan estateId={place.place.estate} highlight={place.deviceId} onDevice={() => {}} fixed />
          </Space>
        )}
      </Modal>
    </Layout>
  );
}
