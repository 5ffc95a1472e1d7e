import { useEffect, useState } from 'react';
import { Alert, Layout, Select, Space, Tabs } from 'antd';
import type { User } from '@gridhub/core';
import { api } from '../api.ts';
import { Header } from '../common/Header.tsx';
import { useI18n } from '../i18n.ts';
import { estatesOf, getSite, gridsOf, type SiteJson } from './api.ts';
import { DevicesPanel } from './DevicesPanel.tsx';
import { AuditPanel, ReportsPanel, RulesPanel, SilencesPanel, type ActiveSilence } from './OpsPanels.tsx';
import { DutyPanel, PeoplePanel } from './PeoplePanel.tsx';
import { SitePanel } from './SitePanel.tsx';
import { useAdminT } from './i18n.ts';

const TABS = ['site', 'devices', 'people', 'duty', 'silences', 'rules', 'audit', 'reports'] as const;
type Tab = (typeof TABS)[number];
/** Who sees which tab (the API checks again on every route). */
const TAB_ROLES: Record<Tab, readonly string[]> = {
  site: ['admin'], devices: ['admin'], people: ['admin'], audit: ['admin'],
  duty: ['admin', 'operator', 'grid_leader'], silences: ['admin', 'operator'], rules: ['admin', 'operator'], reports: ['admin', 'operator'],
};

/** The admin screens (系统管理) at /admin, one tab per task; `/admin/<tab>` opens that tab. */
export default function Admin({ user, logout }: { user: User; logout(): void }) {
  const { t: tt } = useI18n();
  const t = useAdminT();
  const tabs = TABS.filter((k) => TAB_ROLES[k].includes(user.role));
  const fromPath = location.pathname.split('/')[2] as Tab | undefined;
  const [tab, setTab] = useState<Tab>(fromPath && tabs.includes(fromPath) ? fromPath : (tabs[0] ?? 'duty'));
  const [site, setSite] = useState<SiteJson | null>(null);
  const [silences, setSilences] = useState<ActiveSilence[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [estateId, setEstateId] = useState<string | undefined>();
  const reload = () => {
    if (user.role === 'admin' || user.role === 'operator') void getSite().then(setSite, () => undefined);
    // a grid leader: the grids and wardens the site tree shows them (for their roster)
    else void api<SiteJson>('/api/site').then((s) => setSite({ ...s, communities: s.communities.map((c) => ({ ...c, grids: c.grids.map((g) => ({ ...g, estates: [] })) })) }), () => undefined);
    void api<ActiveSilence[]>('/api/silences?active=true').then(setSilences, () => undefined);
  };
  useEffect(reload, []);
  // silences others start or end: fetched again on every tab change and every 30 s
  const loadSilences = () => void api<ActiveSilence[]>('/api/silences?active=true').then(setSilences, () => undefined);
  useEffect(() => {
    history.replaceState(null, '', `/admin/${tab}`);
    loadSilences();
  }, [tab]);
  useEffect(() => {
    const timer = setInterval(loadSilences, 30_000);
    return () => clearInterval(timer);
  }, []);
  const silenced = new Set(silences.filter((s) => s.fromMs <= Date.now()).flatMap((s) => [s.scope.estate, s.scope.building, s.scope.device].filter((x): x is string => !!x)));
  const estates = estatesOf(site);
  const estate = estates.find((e) => e.id === estateId) ?? estates[0];
  const grids = gridsOf(site);

  const body = (k: Tab) => {
    if (!site && (k === 'site' || k === 'devices' || k === 'people' || k === 'silences')) return null;
    switch (k) {
      case 'site':
        return <SitePanel site={site!} reload={reload} silenced={silenced} selected={selected} select={setSelected} />;
      case 'devices':
        return (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Select data-testid="devices-estate" style={{ width: 260 }} value={estate?.id} onChange={setEstateId} options={estates.map((e) => ({ value: e.id, label: e.name }))} />
            {estate && <DevicesPanel estate={estate} reload={reload} silenced={silenced} />}
          </Space>
        );
      case 'people':
        return <PeoplePanel grids={grids} reload={reload} />;
      case 'duty':
        return <DutyPanel grids={grids} />;
      case 'silences':
        return <SilencesPanel site={site!} silences={silences} reload={reload} />;
      case 'rules':
        return <RulesPanel />;
      case 'audit':
        return <AuditPanel />;
      case 'reports':
        return <ReportsPanel />;
    }
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header className="no-print" style={{ background: '#0b1a2e', color: '#fff', height: 'auto', lineHeight: 1.5, padding: '10px 16px' }}>
        <Header user={user} logout={logout} title={`${tt('app')} · ${t('admin')}`} />
      </Layout.Header>
      <Layout.Content style={{ padding: 16 }}>
        {!tabs.length && <Alert type="info" message={t('admin')} />}
        <Tabs activeKey={tab} onChange={(k) => setTab(k as Tab)} destroyOnHidden items={tabs.map((k) => ({ key: k, label: <span data-testid={`tab-${k}`}>{t(k)}</span>, children: body(k) }))} />
      </Layout.Content>
    </Layout>
  );
}
