import { lazy, Suspense, useEffect, useMemo } from 'react';
import { FireFilled } from '@ant-design/icons';
import type { DeviceKind, FeedItem, LiveTicket } from '@gridhub/core';
import { DEVICE_KINDS, DEVICE_KIND_LABELS, TICKET_ACTION_LABELS } from '../core.ts';
import { NO_TICKETS, pct, useKpis } from '../common/kpis.ts';
import { ErrorBoundary } from '../common/ErrorBoundary.tsx';
import { estatesOf, gridsOf, useSite } from '../common/site.ts';
import { useNow } from '../common/useNow.ts';
import { formatDuration, pick, ruleTitle, tryKey, useI18n } from '../i18n.ts';
import { incidentsOf } from '../common/incidents.ts';
import { useIncidentPlace } from '../desk/IncidentRow.tsx';
import { usePlaceText } from '../common/site.ts';
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
  const { t, lang, setLang } = useI18n();
  const live = useLive();
  const placeText = usePlaceText();
  const where = useIncidentPlace();
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
  const incidents = useMemo(() => incidentsOf(live.tickets.values(), live.devices), [live.ticketsVersion]);
  const feed = groupFeed(wallFeed(live.feed.slice(-120), live.tickets), live.tickets).slice(-(incidents.length ? 8 : 10)).reverse();
  /** Where a feed line happened, as a place people know (never a device id). */
  const placeOf = (f: FeedItem) => {
    const ticket = f.ticketId ? live.tickets.get(f.ticketId) : undefined;
    if (ticket) return placeText(ticket.place.estate, ticket.place.building, ticket.place.unit);
    const d = f.deviceId ? live.devices.get(f.deviceId) : undefined;
    return d ? placeText(d.estateId, d.buildingId) : (grids.find((g) => g.id === f.gridId)?.name ?? '');
  };
  const whatOf = (f: FeedItem) => {
    const ticket = f.ticketId ? live.tickets.get(f.ticketId) : undefined;
    const action = f.what in TICKET_ACTION_LABELS ? pick(TICKET_ACTION_LABELS[f.what as keyof typeof TICKET_ACTION_LABELS], lang) : tryKey(t, f.type === 'device' || f.type === 'alert' || f.type === 'incident' ? `event.${f.what}` : `action.${f.what}`);
    return ticket && f.what !== 'new' ? `${ruleTitle(t, ticket.ruleId, ticket.title)} · ${action}` : ticket ? ruleTitle(t, ticket.ruleId, ticket.title) : action;
  };
  const time = new Date(now).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });

  return (
    <div className="wall" data-testid="wall" style={{ height: '100vh', display: 'grid', gridTemplateRows: incidents.length ? 'auto auto 1fr 1fr' : 'auto 1fr 1fr', gap: 12, padding: 12, boxSizing: 'border-box' }}>
      <header style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 24 }}>
        <h1 style={{ fontSize: 40, margin: 0, color: '#e6f4ff' }}>
          {site?.street?.name ?? ''} · {t('app')}
        </h1>
        <div style={{ display: 'flex', gap: 40, alignItems: 'baseline' }}>
          <Figure label={t('deviceCount')} value={live.devices.size} />
          <Figure label={t('onlineCount')} value={stats.online} color="#73d13d" testId="wall-online" />
          <Figure label={t('alarmCount')} value={stats.open} color={stats.open ? '#ff4d4f' : '#73d13d'} />
          <Figure label="P1" value={stats.p1} color={stats.p1 ? '#ff4d4f' : '#73d13d'} />
          <span style={{ fontSize: 40, fontVariantNumeric: 'tabular-nums', color: live.connected ? '#e6f4ff' : '#ff4d4f' }}>{live.connected ? time : t('offline')}</span>
          <button type="button" aria-label="language" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} style={{ fontSize: 20, fontFamily: 'inherit', background: 'transparent', color: '#91d5ff', border: '1px solid #1d3b5e', borderRadius: 6, padding: '4px 10px', cursor: 'pointer' }}>
            {t('language')}
          </button>
        </div>
      </header>

      {incidents.length > 0 && (
        <section data-testid="wall-incidents" role="alert" style={{ display: 'grid', gap: 8 }}>
          {incidents.slice(0, 2).map((i) => (
            <div key={i.id} className="alarm-flash-dark" data-testid={`wall-incident-${i.id}`} style={{ borderRadius: 8, border: '3px solid #ff4d4f', padding: '10px 20px', display: 'flex', alignItems: 'baseline', gap: 28, flexWrap: 'wrap' }}>
              <span style={{ fontSize: 48, fontWeight: 800, color: '#fff' }}>
                <FireFilled style={{ color: '#ffec3d' }} /> {t('incidentTitle')}
              </span>
              <span style={{ fontSize: 40, fontWeight: 700, color: '#fff' }}>{where(i)}</span>
              <span style={{ fontSize: 30, color: '#ffccc7' }}>
                {t('detectorsN', { n: i.deviceIds.length })} · {t('firstAlarm')} {new Date(i.firstAlarmMs).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })} · {t('elapsed', { t: formatDuration(t, now - i.firstAlarmMs) })}
              </span>
              <span style={{ fontSize: 30, color: i.unacknowledged ? '#ffec3d' : '#b7eb8f', fontWeight: 700 }}>{i.unacknowledged ? t('unacked', { n: i.unacknowledged }) : t('acknowledged')}</span>
            </div>
          ))}
        </section>
      )}

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
          {feed.map(({ item: f, count }) => (
            <li key={f.id} style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
              <span style={{ color: '#91d5ff', fontVariantNumeric: 'tabular-nums' }}>{new Date(f.atMs).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })}</span>{' '}
              {f.priority && <strong style={{ color: f.priority === 'P1' ? '#ff4d4f' : '#ffc53d' }}>{f.priority} </strong>}
              {whatOf(f)}
              {count > 1 && <strong style={{ color: '#ffc53d' }}> {t('repeats', { n: count })}</strong>} · {placeOf(f)}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function Figure({ label, value, color = '#e6f4ff', testId }: { label: string; value: number; color?: string; testId?: string }) {
  return (
    <div style={{ textAlign: 'center' }} data-testid={testId} data-value={value}>
      <div style={{ ...big, color }}>{value}</div>
      <div style={{ fontSize: 22, color: '#91d5ff' }}>{label}</div>
    </div>
  );
}

/**
 * Repeats folded into one line: the same thing (what, ticket or device) again within the last lines
 * shows once with its count and its latest time, so a flapping sensor does not flood the ticker.
 */
export function groupFeed(items: readonly FeedItem[], tickets: ReadonlyMap<string, LiveTicket>): { item: FeedItem; count: number }[] {
  const out: { item: FeedItem; count: number }[] = [];
  const at = new Map<string, number>();
  for (const f of items) {
    const incident = f.ticketId ? tickets.get(f.ticketId)?.incidentId : null;
    const key = `${f.type === 'occurrence' ? 'ticket' : f.type}|${f.what}|${incident ? `i:${incident}` : (f.ticketId ?? f.deviceId ?? f.note ?? '')}`;
    const i = at.get(key);
    if (i !== undefined) {
      const prev = out[i]!;
      out.splice(i, 1);
      for (const [k, v] of at) if (v > i) at.set(k, v - 1);
      out.push({ item: f, count: prev.count + 1 });
    } else {
      out.push({ item: f, count: 1 });
    }
    at.set(key, out.length - 1);
  }
  return out;
}

/**
 * The lines a wall shows: tickets and incidents (what people act on). An alert's firing and a
 * device's own event are the same alarm as its ticket, so they show only when no ticket tells it.
 */
export function wallFeed(items: readonly FeedItem[], tickets: ReadonlyMap<string, LiveTicket>): FeedItem[] {
  const ticketed = new Set<string>();
  for (const t of tickets.values()) if (t.status !== 'closed') ticketed.add(t.deviceId);
  return items.filter((f) => (f.type !== 'alert' && f.type !== 'device') || !f.deviceId || !ticketed.has(f.deviceId));
}
