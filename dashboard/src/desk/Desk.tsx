import { useCallback, useMemo, useState } from 'react';
import { Alert, Card, Col, Layout, Row, Tabs } from 'antd';
import type { User } from '@gridhub/core';
import { audioBlocked, unlockAudio } from '../common/beep.ts';
import { useNow } from '../common/useNow.ts';
import { Header } from '../common/Header.tsx';
import { useI18n } from '../i18n.ts';
import { AlarmList } from './AlarmList.tsx';
import { DeviceDrawer } from './DeviceDrawer.tsx';
import { DeviceList } from './DeviceList.tsx';
import { KpiPanel } from './KpiPanel.tsx';
import { SitePlan } from './SitePlan.tsx';
import { TicketBoard } from './TicketBoard.tsx';
import { TicketDrawer } from './TicketDrawer.tsx';
import { DeadLetters } from './Pages.tsx';

/** The control-room desk (控制台): live alarms, ticket board, estate plan, devices, KPIs. */
export default function Desk({ user, logout }: { user: User; logout(): void }) {
  const { t } = useI18n();
  const [ticketId, setTicketId] = useState<string | null>(null);
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const openTicket = useCallback((id: string) => setTicketId(id), []);
  const openDevice = useCallback((id: string) => setDeviceId(id), []);
  // Silences (屏蔽) are made by operators and admins (POST /api/silences); everyone sees them.
  const canSilence = user.role === 'admin' || user.role === 'operator';
  const tabs = useMemo(
    () => [
      { key: 'board', label: t('board'), children: <TicketBoard onOpen={openTicket} /> },
      { key: 'plan', label: t('sitePlan'), children: <SitePlan onDevice={openDevice} canSilence={canSilence} /> },
      { key: 'devices', label: t('devices'), children: <DeviceList onDevice={openDevice} /> },
      ...(user.role === 'admin' || user.role === 'operator' ? [{ key: 'dead', label: t('deadLetters'), children: <DeadLetters onOpen={openTicket} /> }] : []),
    ],
    [t, openTicket, openDevice, user.role, canSilence],
  );
  const closeTicket = useCallback(() => setTicketId(null), []);
  const closeDevice = useCallback(() => setDeviceId(null), []);

  return (
    <Layout style={{ minHeight: '100vh' }} onPointerDown={unlockAudio} onKeyDown={unlockAudio}>
      <Layout.Header style={{ background: '#0b1a2e', color: '#fff', height: 'auto', lineHeight: 1.5, padding: '10px 16px' }}>
        <Header user={user} logout={logout} title={`${t('app')} · ${t('desk')}`} />
      </Layout.Header>
      <Layout.Content style={{ padding: 12 }}>
        <Row gutter={[12, 12]}>
          <Col xs={24} xl={9}>
            <SoundCheck />
            <Card size="small" title={t('alarms')} style={{ marginBottom: 12 }} styles={{ body: { maxHeight: 'calc(100vh - 130px)', minHeight: 120, overflowY: 'auto', padding: 4 } }} data-testid="alarm-list">
              <AlarmList onOpen={openTicket} user={user} />
            </Card>
            <KpiPanel />
          </Col>
          <Col xs={24} xl={15}>
            <Card size="small">
              <Tabs items={tabs} destroyOnHidden />
            </Card>
          </Col>
        </Row>
      </Layout.Content>
      <TicketDrawer id={ticketId} user={user} onClose={closeTicket} />
      <DeviceDrawer id={deviceId} onClose={closeDevice} canSilence={canSilence} />
    </Layout>
  );
}

/** Browsers keep sound off until the first click: say so, loudly, until it is on. */
function SoundCheck() {
  const { t } = useI18n();
  useNow(); // re-checks once a second
  if (!audioBlocked()) return null;
  return <Alert type="warning" showIcon banner style={{ marginBottom: 8, cursor: 'pointer' }} message={t('enableSound')} onClick={unlockAudio} data-testid="enable-sound" />;
}
