import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Descriptions, Drawer, Empty, Segmented, Select, Space, Spin } from 'antd';
import type { DeviceInfo, DeviceState, Liveness } from '@gridhub/core';
import { api } from '../api.ts';
import { DEVICE_KIND_LABELS } from '../core.ts';
import { pick, tryKey, useI18n } from '../i18n.ts';
import { useLive } from '../live/LiveProvider.tsx';
import { usePlaceText } from '../common/site.ts';
import { SilenceBox, silencesOn, useSilences } from '../common/silences.tsx';

const HistoryChart = lazy(() => import('../charts/HistoryChart.tsx'));
const RANGES = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
type Range = keyof typeof RANGES;
type View = DeviceInfo & { state: DeviceState | null; liveness: Liveness };
interface History { intervalMs: number; points: { tMs: number; value: number | null }[] }

/** How the device's network names it: DevEUI (LoRaWAN), IMEI and platform id (NB-IoT). */
function networkIdentity(d: DeviceInfo): string | null {
  const parts = [d.devEui && `DevEUI ${d.devEui}`, d.imei && `IMEI ${d.imei}`, d.platformDeviceId && `ID ${d.platformDeviceId}`, d.networkApp && `@ ${d.networkApp}`].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** One device: place, live state, latest reading, and a history chart of any numeric field. */
export function DeviceDrawer({ id, onClose, canSilence = false }: { id: string | null; onClose(): void; canSilence?: boolean }) {
  const { silences, reload: reloadSilences } = useSilences();
  const { t, lang } = useI18n();
  const placeText = usePlaceText();
  const live = useLive().devices.get(id ?? '');
  const [device, setDevice] = useState<View | null>(null);
  const [field, setField] = useState<string | undefined>();
  const [range, setRange] = useState<Range>('24h');
  const [history, setHistory] = useState<History | null>(null);

  useEffect(() => {
    setDevice(null);
    setField(undefined);
    if (id) api<View>(`/api/devices/${encodeURIComponent(id)}`).then(setDevice, () => setDevice(null));
  }, [id]);

  const fields = useMemo(() => Object.entries(device?.state?.latest ?? {}).filter(([, v]) => typeof v === 'number').map(([k]) => k), [device]);
  const shown = field ?? fields[0];

  useEffect(() => {
    if (!id || !shown) return setHistory(null);
    let on = true;
    const to = Date.now();
    api<History>(`/api/devices/${encodeURIComponent(id)}/history?field=${shown}&from=${to - RANGES[range]}&to=${to}&points=300`).then(
      (h) => on && setHistory(h),
      () => on && setHistory(null),
    );
    return () => {
      on = false;
    };
  }, [id, shown, range, live?.lastSeenMs]);

  return (
    <Drawer open={!!id} onClose={onClose} width={560} title={`${t('deviceDetail')} · ${id ?? ''}`} destroyOnHidden>
      {!device ? (
        <Spin />
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('kind')}>{pick(DEVICE_KIND_LABELS[device.kind], lang)}</Descriptions.Item>
            <Descriptions.Item label={t('place')}>{[placeText(device.place.grid, device.place.estate, device.buildingId, device.unitId), device.floor !== null ? `${device.floor}F` : null].filter(Boolean).join(' / ')}</Descriptions.Item>
            <Descriptions.Item label={t('state')}>{t(`liveness.${live?.liveness ?? device.liveness}`)}</Descriptions.Item>
            <Descriptions.Item label={t('battery')}>{(live?.batteryPct ?? device.state?.batteryPct) ?? '—'}</Descriptions.Item>
            {device.model && <Descriptions.Item label={t('deviceModel')}>{device.model}</Descriptions.Item>}
            {networkIdentity(device) && <Descriptions.Item label={t('networkId')}>{networkIdentity(device)}</Descriptions.Item>}
            {device.state?.radio && (
              <>
                <Descriptions.Item label={t('radio')}>
                  {[device.state.radio.rssiDbm !== null ? `${device.state.radio.rssiDbm} dBm` : null, device.state.radio.snrDb !== null ? `${device.state.radio.snrDb} dB` : null].filter(Boolean).join(' / ') || '—'}
                  {` · ${device.state.radio.network} · ${new Date(device.state.radio.atMs).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}`}
                </Descriptions.Item>
                <Descriptions.Item label={t('radioGateway')}>{`${device.state.radio.gatewayId ?? '—'} (${device.state.radio.gateways})`}</Descriptions.Item>
                <Descriptions.Item label={t('radioFrame')}>{[device.state.radio.fCnt, device.state.radio.dataRate].map((v) => v ?? '—').join(' / ')}</Descriptions.Item>
              </>
            )}
            {Object.entries(device.state?.latest ?? {}).map(([k, v]) => (
              <Descriptions.Item key={k} label={tryKey(t, `field.${k}`)}>
                {String(v)}
              </Descriptions.Item>
            ))}
          </Descriptions>
          <SilenceBox scope={{ device: device.id }} active={silencesOn(silences, { device: device.id, building: device.buildingId, estate: device.estateId })} canEdit={canSilence} onChange={reloadSilences} />
          <Space wrap>
            <Select aria-label={t('field')} style={{ width: 200 }} value={shown} onChange={setField} options={fields.map((f) => ({ value: f, label: tryKey(t, `field.${f}`) }))} />
            <Segmented<Range> aria-label={t('range')} value={range} onChange={setRange} options={Object.keys(RANGES) as Range[]} />
          </Space>
          {history && history.points.some((p) => p.value !== null) ? (
            <Suspense fallback={<Spin />}>
              <HistoryChart points={history.points} name={shown ? tryKey(t, `field.${shown}`) : ''} lastLabel={(v) => t('chartLast', { v })} />
            </Suspense>
          ) : (
            <Empty description={t('chartNoDataRange')} />
          )}
        </Space>
      )}
    </Drawer>
  );
}
