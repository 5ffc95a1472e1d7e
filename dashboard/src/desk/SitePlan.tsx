import { memo, useEffect, useMemo, useState } from 'react';
import { Button, Card, Empty, Select, Space, Typography } from 'antd';
import type { Device, DeviceLive } from '@gridhub/core';
import { api } from '../api.ts';
import { DEVICE_KIND_LABELS } from '../core.ts';
import { estatesOf, useSite, type SiteEstate } from '../common/site.ts';
import { pick, useI18n, type MessageKey } from '../i18n.ts';
import { useLiveSelect, useLiveStore } from '../live/LiveProvider.tsx';
import { buildingRect, placeDevices } from './planLayout.ts';
import { incidentsOf } from '../common/incidents.ts';
import { SilenceBox, silencesOn, useSilences, type Silence } from '../common/silences.tsx';

export const STATE_COLOR = { alarm: '#cf1322', late: '#d48806', offline: '#595959', unknown: '#bfbfbf', ok: '#389e0d' } as const;
export type PlanState = keyof typeof STATE_COLOR;
const LEGEND: [PlanState, MessageKey][] = [['ok', 'legendOk'], ['alarm', 'legendAlarm'], ['late', 'legendLate'], ['offline', 'legendOffline'], ['unknown', 'legendUnknown']];
const LEGEND_KEY = Object.fromEntries(LEGEND) as Record<PlanState, MessageKey>;

export function planState(d: Pick<DeviceLive, 'alarm' | 'liveness'> | undefined): PlanState {
  if (!d) return 'unknown';
  if (d.alarm) return 'alarm';
  return d.liveness === 'online' ? 'ok' : d.liveness;
}

const SHAPE: Record<string, 'circle' | 'square' | 'diamond' | 'triangle'> = { smoke: 'circle', bin: 'square', manhole: 'diamond', ebike: 'triangle' };

/**
 * The estate plan (小区平面图) drawn in SVG from the site's positions, no map tiles: buildings
 * with their units, and every device coloured by its live state (shape by kind).
 */
export function SitePlan({ onDevice, estateId: initial, highlight, fixed, canSilence = false }: { onDevice(id: string): void; estateId?: string; highlight?: string; fixed?: boolean; canSilence?: boolean }) {
  const { silences, reload: reloadSilences } = useSilences();
  const [buildingId, setBuildingId] = useState<string | null>(null);
  const { t, lang } = useI18n();
  const site = useSite();
  const estates = estatesOf(site);
  const [estateId, setEstateId] = useState<string | undefined>(initial);
  // Until someone picks one: the estate with an alarm on it, else the first.
  const alarmed = useLiveSelect((s) => {
    for (const d of s.devices.values()) if (d.alarm) return d.estateId;
    return '';
  });
  const estate = estates.find((e) => e.id === (estateId ?? alarmed)) ?? estates[0];
  const [devices, setDevices] = useState<Device[]>([]);

  useEffect(() => {
    if (!estate) return;
    let on = true;
    api<{ items: Device[] }>(`/api/devices?estate=${encodeURIComponent(estate.id)}&limit=1000`).then((r) => on && setDevices(r.items), () => on && setDevices([]));
    return () => {
      on = false;
    };
  }, [estate?.id]);

  if (!estate) return <Empty description={t('loading')} />;
  const selected = estate.buildings.find((b) => b.id === buildingId);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Typography.Text>{t('estate')}</Typography.Text>
        {fixed ? (
          <Typography.Text strong>{estate.name}</Typography.Text>
        ) : (
          <Select aria-label={t('estate')} style={{ minWidth: 200 }} value={estate.id} onChange={setEstateId} options={estates.map((e) => ({ value: e.id, label: e.name }))} />
        )}
        <span aria-label={t('planLegend')}>
          {LEGEND.map(([s, key]) => (
            <span key={s} style={{ marginRight: 10, whiteSpace: 'nowrap' }}>
              <span style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 5, background: STATE_COLOR[s], marginRight: 4 }} />
              {t(key)}
            </span>
          ))}
        </span>
      </Space>
      {silencesOn(silences, { estate: estate.id }).length > 0 && <SilenceBox scope={{ estate: estate.id }} active={silencesOn(silences, { estate: estate.id })} canEdit={canSilence} onChange={reloadSilences} />}
      <PlanSvg estate={estate} devices={devices} onDevice={onDevice} lang={lang} highlight={highlight} silences={silences} onBuilding={fixed ? undefined : setBuildingId} />
      {selected && (
        <Card size="small" title={`${t('building')} ${selected.name}`} data-testid="plan-building" extra={<Button size="small" type="text" onClick={() => setBuildingId(null)}>×</Button>}>
          <SilenceBox scope={{ building: selected.id }} active={silencesOn(silences, { building: selected.id, estate: estate.id })} canEdit={canSilence} onChange={reloadSilences} />
        </Card>
      )}
    </Space>
  );
}

const PlanSvg = memo(function PlanSvg({ estate, devices, onDevice, lang, highlight, silences, onBuilding }: { estate: SiteEstate; devices: Device[]; onDevice(id: string): void; lang: 'zh' | 'en'; highlight?: string; silences: Silence[]; onBuilding?(id: string): void }) {
  const { t } = useI18n();
  const store = useLiveStore();
  useLiveSelect((s) => s.devicesVersion);
  const ticketsVersion = useLiveSelect((s) => s.ticketsVersion);
  const live = store.get();
  // A fire in this estate: its building is outlined in red and the view zooms to it.
  const burning = useMemo(() => new Set(incidentsOf(store.get().tickets.values()).filter((i) => i.estateId === estate.id).map((i) => i.buildingId)), [ticketsVersion, estate.id, store]);
  const rects = useMemo(() => estate.buildings.map(buildingRect), [estate]);
  const points = useMemo(() => placeDevices(estate, devices), [estate, devices]);
  const kinds = useMemo(() => new Map(devices.map((d) => [d.id, d.kind])), [devices]);
  const r = Math.max(1, Math.min(estate.widthM, estate.heightM) / 85);
  const target = highlight ? points.find((p) => p.id === highlight) : undefined;
  const fire = rects.find((b) => burning.has(b.id));
  const pad = fire ? Math.max(fire.w, fire.h) * 0.8 : 0;
  const view = fire
    ? `${Math.max(0, fire.x - pad)} ${Math.max(0, fire.y - pad)} ${Math.min(estate.widthM, fire.w + 2 * pad)} ${Math.min(estate.heightM, fire.h + 2 * pad)}`
    : `0 0 ${estate.widthM} ${estate.heightM}`;

  return (
    <svg viewBox={view} role="img" aria-label={estate.name} data-testid="site-plan" data-fire={fire?.id} style={{ width: '100%', maxHeight: '62vh', background: '#f6ffed', border: '1px solid #d9d9d9', borderRadius: 6 }}>
      <rect x={0.5} y={0.5} width={estate.widthM - 1} height={estate.heightM - 1} fill="none" stroke="#95de64" strokeWidth={0.6} strokeDasharray="2 1" />
      {rects.map((b) => {
        // A silenced building (屏蔽, maintenance): hatched in orange, with until when.
        const quiet = silencesOn(silences, { building: b.id, estate: estate.id })[0];
        return (
          <g key={b.id} data-building={b.id} data-silenced={quiet ? quiet.toMs : undefined} onClick={onBuilding ? () => onBuilding(b.id) : undefined} style={onBuilding ? { cursor: 'pointer' } : undefined}>
            <rect x={b.x} y={b.y} width={b.w} height={b.h} fill={burning.has(b.id) ? '#fff1f0' : quiet ? '#fff7e6' : '#e6f4ff'} stroke={burning.has(b.id) ? '#cf1322' : quiet ? '#fa8c16' : '#4096ff'} strokeWidth={burning.has(b.id) ? 1.2 : 0.4} strokeDasharray={quiet && !burning.has(b.id) ? '1.5 0.8' : undefined}>
              {quiet && <title>{`${t('silencedUntil', { to: new Date(quiet.toMs).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }) })} · ${quiet.reason}`}</title>}
            </rect>
            {b.units.slice(1).map((u) => (
              <line key={u.id} x1={u.x} x2={u.x} y1={b.y} y2={b.y + b.h} stroke="#91caff" strokeWidth={0.3} />
            ))}
            <text x={b.x + 1} y={b.y - 1} fontSize={Math.max(2.5, r * 2)} fill="#1f1f1f">
              {b.name}
              {quiet ? ` · ${t('silenced')} → ${new Date(quiet.toMs).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour: '2-digit', minute: '2-digit', hour12: false })}` : ''}
            </text>
          </g>
        );
      })}
      {points.map((p) => {
        const state = planState(live.devices.get(p.id));
        const kind = kinds.get(p.id) ?? 'smoke';
        const label = `${p.id} · ${pick(DEVICE_KIND_LABELS[kind], lang)} · ${t(LEGEND_KEY[state])}`;
        const common = {
          fill: STATE_COLOR[state],
          stroke: '#fff',
          strokeWidth: r * 0.25,
          tabIndex: 0,
          role: 'button',
          'aria-label': label,
          'data-device': p.id,
          'data-state': state,
          className: state === 'alarm' ? 'alarm-flash' : undefined,
          style: { cursor: 'pointer' },
          onClick: () => onDevice(p.id),
          onKeyDown: (e: React.KeyboardEvent) => (e.key === 'Enter' || e.key === ' ') && onDevice(p.id),
        };
        const shape = SHAPE[kind];
        return shape === 'square' ? (
          <rect key={p.id} x={p.x - r} y={p.y - r} width={2 * r} height={2 * r} {...common}>
            <title>{label}</title>
          </rect>
        ) : shape === 'diamond' ? (
          <polygon key={p.id} points={`${p.x},${p.y - r * 1.3} ${p.x + r * 1.3},${p.y} ${p.x},${p.y + r * 1.3} ${p.x - r * 1.3},${p.y}`} {...common}>
            <title>{label}</title>
          </polygon>
        ) : shape === 'triangle' ? (
          <polygon key={p.id} points={`${p.x},${p.y - r * 1.2} ${p.x + r * 1.2},${p.y + r} ${p.x - r * 1.2},${p.y + r}`} {...common}>
            <title>{label}</title>
          </polygon>
        ) : (
          <circle key={p.id} cx={p.x} cy={p.y} r={r} {...common}>
            <title>{label}</title>
          </circle>
        );
      })}
      {target && (
        <g data-testid="plan-target" pointerEvents="none">
          <circle cx={target.x} cy={target.y} r={r * 3} fill="none" stroke="#1677ff" strokeWidth={r * 0.5} />
          <line x1={target.x} y1={0} x2={target.x} y2={estate.heightM} stroke="#1677ff" strokeWidth={0.3} strokeDasharray="1 1" />
          <line x1={0} y1={target.y} x2={estate.widthM} y2={target.y} stroke="#1677ff" strokeWidth={0.3} strokeDasharray="1 1" />
        </g>
      )}
    </svg>
  );
});
