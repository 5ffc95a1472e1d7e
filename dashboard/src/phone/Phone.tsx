import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, Empty, Layout, Modal, Segmented, Space, Tag, Typography } from 'antd';
import { BellOutlined, EnvironmentOutlined, FireFilled, PhoneOutlined } from '@ant-design/icons';
import type { LiveTicket, RealtimeNotice, User } from '@gridhub/core';
import { DEVICE_KIND_LABELS, TICKET_STATUS_LABELS } from '../core.ts';
import { ActionButtons } from '../common/ActionForm.tsx';
import { unlockAudio } from '../common/beep.ts';
import { Header } from '../common/Header.tsx';
import { byUrgency } from '../common/sla.ts';
import { SlaCountdown } from '../common/SlaCountdown.tsx';
import { allowedActions } from '../common/tickets.ts';
import { formatDuration, pick, ruleTitle, useI18n } from '../i18n.ts';
import { incidentsOf } from '../common/incidents.ts';
import { useIncidentPlace } from '../desk/IncidentRow.tsx';
import { useNow } from '../common/useNow.ts';
import { useLive, useNotice } from '../live/LiveProvider.tsx';
import { PRIORITY_COLOR } from '../desk/AlarmList.tsx';
import { SitePlan } from '../desk/SitePlan.tsx';
import { alertDispatch, enableAlerts, registerServiceWorker, subscribePush } from './notify.ts';
import { usePlaceText, useSite } from '../common/site.ts';

const FINISHED = new Set(['resolved', 'closed']);
const seenKey = (userId: string) => `gridhub.seen.${userId}`;

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
  const site = useSite();
  const now = useNow();
  const where = useIncidentPlace();
  const [place, setPlace] = useState<LiveTicket | null>(null);
  const [tab, setTab] = useState<'open' | 'finished'>('open');
  const [caughtUp, setCaughtUp] = useState(0);
  // The control room's number comes from the site file (street.control_room.phone).
  const controlTel = site?.street?.controlRoomPhone ?? null;
  const [alerts, setAlerts] = useState<NotificationPermission | 'unsupported' | 'default'>(() => ('Notification' in window ? Notification.permission : 'unsupported'));

  useEffect(() => {
    // Once notifications are allowed, this browser also takes web push (dispatches while the app is closed).
    void registerServiceWorker().then(() => (alerts === 'granted' ? subscribePush() : null));
  }, []);

  // Tickets this phone has already alerted for (kept across reloads): a ticket dispatched while the
  // phone was offline alerts once when the catch-up snapshot brings it; a live notice alerts at once.
  const seen = useRef<Set<string> | null>(null);
  const alertOnce = useCallback(
    (x: LiveTicket): boolean => {
      if (!seen.current || seen.current.has(x.id)) return false;
      seen.current.add(x.id);
      localStorage.setItem(seenKey(user.id), JSON.stringify([...seen.current].slice(-500)));
      void alertDispatch(t('newDispatch', { title: ruleTitle(t, x.ruleId, x.title) }), `${x.priority} · ${placeText(x.place.estate, x.place.building)}`, x.id);
      return true;
    },
    [user.id, t, placeText],
  );
  const onNotice = useCallback((n: RealtimeNotice) => {
    if (n.ticket.assigneeId === user.id) alertOnce(n.ticket);
  }, [user.id, alertOnce]);
  useNotice(onNotice);

  const { mine, finished } = useMemo(() => {
    const all = [...live.tickets.values()].filter((x) => x.assigneeId === user.id || (user.role === 'grid_leader' && x.status !== 'with_department'));
    return {
      mine: all.filter((x) => !FINISHED.has(x.status)).sort(byUrgency(Date.now())),
      finished: all.filter((x) => FINISHED.has(x.status) && (x.assigneeId === user.id || x.acknowledgedBy === user.id)).sort((a, b) => (b.resolvedMs ?? b.closedMs ?? 0) - (a.resolvedMs ?? a.closedMs ?? 0)),
    };
  }, [live.ticketsVersion, user.id, user.role]);
  const incidents = useMemo(() => incidentsOf(live.tickets.values(), live.devices), [live.ticketsVersion]);

  useEffect(() => {
    if (!live.ready) return;
    if (!seen.current) {
      const stored = localStorage.getItem(seenKey(user.id));
      // The first time on this phone: what is already there is not news.
      seen.current = new Set(stored ? (JSON.parse(stored) as string[]) : mine.map((x) => x.id));
      if (!stored) localStorage.setItem(seenKey(user.id), JSON.stringify([...seen.current]));
    }
    let n = 0;
    for (const x of mine) if (x.assigneeId === user.id && alertOnce(x)) n++;
    if (n) setCaughtUp((c) => c + n);
  }, [live.ready, mine, user.id, alertOnce]);

  return (
    <Layout style={{ minHeight: '100vh', background: '#f5f5f5' }} onPointerDown={unlockAudio}>
      <Layout.Header style={{ background: '#0b1a2e', color: '#fff', height: 'auto', lineHeight: 1.4, padding: '8px 12px', position: 'sticky', top: 0, zIndex: 10 }}>
        <Header user={user} logout={logout} title={`${t('myTickets')} · ${user.name}`} compact />
      </Layout.Header>
      <Layout.Content style={{ padding: 10, maxWidth: 560, width: '100%', margin: '0 auto' }}>
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Space wrap>
            {controlTel && (
              <Button href={`tel:${controlTel.replace(/[^+0-9]/g, '')}`} size="large" aria-label={t('callControl')} icon={<PhoneOutlined />} data-testid="call-control">
                {t('callControl')}
              </Button>
            )}
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
          {caughtUp > 0 && <Alert type="info" showIcon closable onClose={() => setCaughtUp(0)} message={t('offlineArrived', { n: caughtUp })} data-testid="caught-up" />}
          {incidents.map((i) => (
            <div key={i.id} role="alert" className={i.unacknowledged ? 'alarm-flash' : undefined} data-testid={`phone-incident-${i.id}`} style={{ border: '2px solid #cf1322', borderRadius: 8, padding: 10, background: '#fff1f0' }}>
              <Typography.Title level={4} style={{ margin: 0, color: '#a8071a' }}>
                <FireFilled /> {t('incidentTitle')}
              </Typography.Title>
              <Typography.Text strong style={{ fontSize: 17 }}>{where(i)}</Typography.Text>
              <div>
                {t('detectorsN', { n: i.deviceIds.length })} · {t('firstAlarm')} {new Date(i.firstAlarmMs).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })} · {t('elapsed', { t: formatDuration(t, now - i.firstAlarmMs) })}
              </div>
              <Button block icon={<EnvironmentOutlined />} style={{ marginTop: 6 }} onClick={() => setPlace(i.tickets[0] ?? null)}>
                {t('directions')}
              </Button>
            </div>
          ))}
          <Segmented<'open' | 'finished'> block size="large" value={tab} onChange={setTab} data-testid="phone-tabs" options={[{ value: 'open', label: `${t('openTab')} ${mine.length}` }, { value: 'finished', label: `${t('finished')} ${finished.length}` }]} />
          {tab === 'finished' && finished.length === 0 && <Empty description={t('noTickets')} />}
          {tab === 'finished' && finished.map((x) => (
            <Card key={x.id} size="small" data-testid={`phone-finished-${x.id}`} title={<span style={{ whiteSpace: 'normal' }}>{ruleTitle(t, x.ruleId, x.title)}</span>} extra={<Tag>{pick(TICKET_STATUS_LABELS[x.status], lang)}</Tag>}>
              {placeText(x.place.estate, x.place.building, x.place.unit)} · {new Date(x.resolvedMs ?? x.closedMs ?? x.createdMs).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })}
            </Card>
          ))}
          {tab === 'open' && mine.length === 0 && <Empty description={t('noTickets')} />}
          {tab === 'open' && mine.map((x) => (
            <Card
              key={x.id}
              data-testid={`phone-ticket-${x.id}`}
              size="small"
              style={{ borderLeft: `6px solid ${x.priority === 'P1' ? '#cf1322' : x.priority === 'P2' ? '#d48806' : '#1677ff'}` }}
              title={
                <Space size={4} wrap>
                  <Tag color={PRIORITY_COLOR[x.priority]}>{x.priority}</Tag>
                  <span style={{ whiteSpace: 'normal' }}>{ruleTitle(t, x.ruleId, x.title)}</span>
                </Space>
              }
              extra={<Tag data-testid="phone-status">{pick(TICKET_STATUS_LABELS[x.status], lang)}</Tag>}
            >
              <Space direction="vertical" style={{ width: '100%' }}>
                <Typography.Text>
                  {pick(DEVICE_KIND_LABELS[x.deviceKind], lang)} · {placeText(x.place.estate, x.place.building, x.place.unit)}
                  {typeof live.devices.get(x.deviceId)?.floor === 'number' ? ` · ${t('floorN', { n: live.devices.get(x.deviceId)!.floor! })}` : ''}
                </Typography.Text>
                {x.incidentId && <Tag color="red" icon={<FireFilled />}>{t('incidentTitle')}</Tag>}
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
      <Modal open={!!place} onCancel={() => setPlace(null)} footer={null} title={place ? t('directions') : ''} width="100%" style={{ maxWidth: 560, top: 8 }}>
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
