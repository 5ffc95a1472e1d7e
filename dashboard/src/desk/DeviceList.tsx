import { useEffect, useState } from 'react';
import { Checkbox, Select, Space, Table, Tag } from 'antd';
import type { DeviceInfo, DeviceKind, DeviceState, Liveness } from '@gridhub/core';
import { api } from '../api.ts';
import { DEVICE_KINDS, DEVICE_KIND_LABELS } from '../core.ts';
import { estatesOf, useSite, usePlaceText } from '../common/site.ts';
import { formatDuration, pick, useI18n } from '../i18n.ts';
import { useLive } from '../live/LiveProvider.tsx';
import { planState, STATE_COLOR } from './SitePlan.tsx';

const LIVENESS_LEVELS: readonly Liveness[] = ['online', 'late', 'offline', 'unknown'];

type Row = DeviceInfo & { state: DeviceState | null; liveness: Liveness };
const PAGE = 20;

/** Devices with filters (kind, estate, state, low battery, silent), paged by the API, state overlaid live. */
export function DeviceList({ onDevice }: { onDevice(id: string): void }) {
  const now = Date.now();
  const { t, lang } = useI18n();
  const placeText = usePlaceText();
  const live = useLive();
  const site = useSite();
  const [kind, setKind] = useState<DeviceKind | undefined>();
  const [estate, setEstate] = useState<string | undefined>();
  const [lowBattery, setLowBattery] = useState(false);
  const [silent, setSilent] = useState(false);
  const [state, setState] = useState<Liveness | undefined>();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ total: number; items: Row[] }>({ total: 0, items: [] });
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const q = new URLSearchParams({ limit: String(PAGE), offset: String((page - 1) * PAGE) });
    if (kind) q.set('kind', kind);
    if (estate) q.set('estate', estate);
    if (lowBattery) q.set('battery_below', '20');
    if (silent) q.set('silent_since', String(Date.now() - 3600_000));
    if (state) q.set('state', state);
    let on = true;
    setLoading(true);
    api<{ total: number; items: Row[] }>(`/api/devices?${q}`)
      .then((r) => on && setData(r))
      .finally(() => on && setLoading(false));
    return () => {
      on = false;
    };
  }, [kind, estate, lowBattery, silent, state, page]);

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select aria-label={t('kind')} allowClear placeholder={t('kind')} style={{ width: 170 }} value={kind} onChange={(v) => (setKind(v), setPage(1))} options={DEVICE_KINDS.map((k) => ({ value: k, label: pick(DEVICE_KIND_LABELS[k], lang) }))} />
        <Select aria-label={t('estate')} allowClear placeholder={t('estate')} style={{ width: 170 }} value={estate} onChange={(v) => (setEstate(v), setPage(1))} options={estatesOf(site).map((e) => ({ value: e.id, label: e.name }))} />
        <Select aria-label={t('state')} allowClear placeholder={t('state')} style={{ width: 130 }} value={state} onChange={(v) => (setState(v), setPage(1))} options={LIVENESS_LEVELS.map((l) => ({ value: l, label: t(`liveness.${l}` as const) }))} />
        <Checkbox checked={lowBattery} onChange={(e) => (setLowBattery(e.target.checked), setPage(1))}>
          {t('batteryLow')}
        </Checkbox>
        <Checkbox checked={silent} onChange={(e) => (setSilent(e.target.checked), setPage(1))}>
          {t('silent')}
        </Checkbox>
      </Space>
      <Table<Row>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={data.items}
        pagination={{ current: page, pageSize: PAGE, total: data.total, onChange: setPage, showSizeChanger: false, showTotal: (n) => t('total', { n }) }}
        onRow={(r) => ({ onClick: () => onDevice(r.id), onKeyDown: (e) => e.key === 'Enter' && onDevice(r.id), tabIndex: 0, style: { cursor: 'pointer' } })}
        columns={[
          { title: 'ID', dataIndex: 'id' },
          { title: t('kind'), dataIndex: 'kind', render: (k: DeviceKind) => pick(DEVICE_KIND_LABELS[k], lang) },
          { title: t('place'), render: (_, r) => placeText(r.place.estate, r.buildingId, r.unitId) },
          {
            title: t('state'),
            render: (_, r) => {
              const d = live.devices.get(r.id);
              const s = planState(d ?? { alarm: false, liveness: r.liveness });
              return <Tag color={STATE_COLOR[s]}>{t(`liveness.${d?.liveness ?? r.liveness}`)}{d?.alarm ? ` · ${t('legendAlarm')}` : ''}</Tag>;
            },
          },
          { title: t('battery'), render: (_, r) => { const b = live.devices.get(r.id)?.batteryPct ?? r.state?.batteryPct; return b === null || b === undefined ? '—' : `${Math.round(b)}%`; } },
          { title: t('lastSeen'), render: (_, r) => { const s = live.devices.get(r.id)?.lastSeenMs ?? r.state?.lastSeenMs; return s ? formatDuration(t, now - s) : '—'; } },
        ]}
      />
    </Space>
  );
}
