import { lazy, Suspense, useEffect, useMemo } from 'react';
import type { DeviceKind } from '@gridhub/core';
import { DEVICE_KINDS, DEVICE_KIND_LABELS, TICKET_ACTION_LABELS } from '../core.ts';
import { NO_TICKETS, pct, useKpis } from '../common/kpis.ts';
import { ErrorBoundary } from '../common/ErrorBoundary.tsx';
import { estatesOf, gridsOf, useSite } from '../common/site.ts';
import { useNow } from '../common/useNow.ts';
import { pick, tryKey, useI18n } from '../i18n.ts';
import { useLive } from '../live/LiveProvider.tsx';

const Gauge = lazy(() => import('../charts/Gauge.tsx'));

const panel: React.CSSProperties = { background: '#0b1a2e', border: '1px solid #1d3b5e', borderRadius: 8, padding: '12px 16px', minHeight: 0, overflow: 'hidden' };
const heading: React.CSSProperties = { fontSize: 26, fontWeight: 700, color: '#91d5ff', margin: '0 0 8px' };
const big: React.CSSProperties = { fontSize: 64, fontWeight: 800, lineHeight: 1.05 };

/**
 * The wall (大屏): dark, full screen, readable from five metres. District totals, estates with
 * live alarms, counts by kind and grid, KPI gauges, and a ticker of the latest events.
 */
export default function Wall() {
  const { t, lang } = useI18n();
  const live = useLive();
  const site = useSite();
  const now = useNow();
  const kpiData = useKpis('24h', 'all');
  const kpi = kpiData ? (kpiData.groups.all ?? NO_TICKETS) : undefined;

  useEffect(() => {
    document.body.style.background = '#06101f';
  }, []);

  const stats = useMemo(() => {
    const byKind = new Map<DeviceKind, { total: number; alarm: number; online: number }>(DEVICE_KINDS.map((k) => [k, { total: 0, alarm: 0, online: 0 }]));
    const byGrid = new Map<string, { total: number; alarm: number }>();
    const alarmByEstate = new Map<string, number>();
    let online = 0;
    let alarms = 0;
    for (const d of live.devices.values()) {
      const k = byKind.get(d.kind)!;
      k.total++;
      if (d.liveness === 'online') (k.online++, online++);
      const g = byGrid.get(d.gridId) ?? { total: 0, alarm: 0 };
      g.total++;
      if (d.alarm) {
        k.alarm++;
        g.alarm++;
        alarms++;
        alarmByEstate.set(d.estateId, (alarmByEstate.get(d.estateId) ?? 0) + 1);
      }
      byGrid.set(d.gridId, g);
    }
    const open = [...live.tickets.values()].filter((x) => x.status !== 'closed' && x.status !== 'resolved');
    return { byKind, byGrid, alarmByEstate, online, alarms, open: open.length, p1: open.filter((x) => x.priority === 'P1').length };
  }, [live.devicesVersion, live.ticketsVersion]);

  const grids = gridsOf(site);
  const estates = estatesOf(site);
  const feed = live.feed.slice(-12).reverse();
  const time = new Date(now).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });

  return (
    <div className="wall" data-testid="wall" style={{ height: '100vh', display: 'grid', gridTemplateRows: 'auto 1fr 1fr', gap: 12, padding: 12, boxSizing: 'border-box' }}>
      <header style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 24 }}>
        <h1 style={{ fontSize: 40, margin: 0, color: '#e6f4ff' }}>
          {site?.street?.name ?? ''} · {t('app')}
        </h1>
        <div style={{ display: 'flex', gap: 40, alignItems: 'baseline' }}>
          <Figure label={t('deviceCount')} value={live.devices.size} />
          <Figure label={t('onlineCount')} value={stats.online} color="#73d13d" />
          <Figure label={t('alarmCount')} value={stats.open} color={stats.open ? '#ff4d4f' : '#73d13d'} />
          <Figure label="P1" value={stats.p1} color={stats.p1 ? '#ff4d4f' : '#73d13d'} />
          <span style={{ fontSize: 40, fontVariantNumeric: 'tabular-nums', color: live.connected ? '#e6f4ff' : '#ff4d4f' }}>{live.connected ? time : t('offline')}</span>
        </div>
      </header>

      <div style={{ display: 'grid', gridTemplateColumns: '1.2fr 1fr 1fr', gap: 12, minHeight: 0 }}>
        <section style={panel} aria-label={t('estates')}>
          <h2 style={heading}>{t('estates')}</h2>
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(190px, 1fr))', gap: 8 }}>
            {estates.map((e) => {
              const n = stats.alarmByEstate.get(e.id) ?? 0;
              return (
                <div key={e.id} className={n ? 'alarm-flash-dark' : undefined} style={{ borderRadius: 6, padding: '8px 12px', background: n ? '#5c0011' : '#10243d', border: `2px solid ${n ? '#ff4d4f' : '#1d3b5e'}` }}>
                  <div style={{ fontSize: 24, fontWeight: 600 }}>{e.name}</div>
                  <div style={{ fontSize: 30, fontWeight: 800, color: n ? '#ff7875' : '#73d13d' }}>{n ? `${t('alarmCount')} ${n}` : t('legendOk')}</div>
                </div>
              );
            })}
          </div>
        </section>
        <section style={panel} aria-label={t('counts')}>
          <h2 style={heading}>{t('counts')}</h2>
          <table style={{ width: '100%', fontSize: 24, borderCollapse: 'collapse' }}>
            <tbody>
              {DEVICE_KINDS.map((k) => {
                const s = stats.byKind.get(k)!;
                return (
                  <tr key={k} style={{ borderBottom: '1px solid #1d3b5e' }}>
                    <td style={{ padding: '4px 0' }}>{pick(DEVICE_KIND_LABELS[k], lang)}</td>
                    <td style={{ textAlign: 'right' }}>{s.total}</td>
                    <td style={{ textAlign: 'right', color: s.alarm ? '#ff7875' : '#73d13d', fontWeight: 700 }}>{s.alarm}</td>
                  </tr>
                );
              })}
              {grids.map((g) => {
                const s = stats.byGrid.get(g.id) ?? { total: 0, alarm: 0 };
                return (
                  <tr key={g.id} style={{ borderBottom: '1px solid #1d3b5e' }}>
                    <td style={{ padding: '4px 0' }}>{g.name}</td>
                    <td style={{ textAlign: 'right' }}>{s.total}</td>
                    <td style={{ textAlign: 'right', color: s.alarm ? '#ff7875' : '#73d13d', fontWeight: 700 }}>{s.alarm}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
        <section style={panel} aria-label={t('gauges')} data-kpi={kpi ? 'loaded' : 'loading'}>
          <h2 style={heading}>{t('gauges')} · 24h</h2>
          <ErrorBoundary fallback={null}>
            <Suspense fallback={null}>
              <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr' }}>
                <Gauge value={kpi?.closureRate ?? null} name={t('closureRate')} dark />
                <Gauge value={kpi?.onTimeRate ?? null} name={t('onTimeRate')} dark />
              </div>
            </Suspense>
          </ErrorBoundary>
          <div style={{ fontSize: 22, textAlign: 'center' }}>
            {t('closedCount')} {kpi?.closed ?? '—'} / {t('ticketsCount')} {kpi?.tickets ?? '—'} · {t('closureRate')} {pct(kpi?.closureRate)}
          </div>
        </section>
      </div>

      <section style={panel} aria-label={t('ticker')} aria-live="polite">
        <h2 style={heading}>{t('ticker')}</h2>
        <ol style={{ listStyle: 'none', margin: 0, padding: 0, fontSize: 26, lineHeight: 1.5 }}>
          {feed.map((f) => (
            <li key={f.id} style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
              <span style={{ color: '#91d5ff', fontVariantNumeric: 'tabular-nums' }}>{new Date(f.atMs).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })}</span>{' '}
              {f.priority && <strong style={{ color: f.priority === 'P1' ? '#ff4d4f' : '#ffc53d' }}>{f.priority} </strong>}
              {f.what in TICKET_ACTION_LABELS ? pick(TICKET_ACTION_LABELS[f.what as keyof typeof TICKET_ACTION_LABELS], lang) : tryKey(t, f.type === 'device' || f.type === 'alert' || f.type === 'incident' ? `event.${f.what}` : `action.${f.what}`)}{' '}
              · {f.deviceId ?? ''} · {grids.find((g) => g.id === f.gridId)?.name ?? f.gridId}
              {f.note ? ` · ${f.note}` : ''}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function Figure({ label, value, color = '#e6f4ff' }: { label: string; value: number; color?: string }) {
  return (
    <div style={{ textAlign: 'center' }}>
      <div style={{ ...big, color }}>{value}</div>
      <div style={{ fontSize: 22, color: '#91d5ff' }}>{label}</div>
    </div>
  );
}
