import { lazy, Suspense, useCallback, useState } from 'react';
import { Card, Col, Row, Segmented, Spin, Statistic } from 'antd';
import type { KpiPeriod } from '@gridhub/core';
import { DEVICE_KIND_LABELS, KPI_PERIODS } from '../core.ts';
import { ErrorBoundary } from '../common/ErrorBoundary.tsx';
import { NO_TICKETS, pct, useKpis } from '../common/kpis.ts';
import { formatDuration, pick, useI18n } from '../i18n.ts';
import { usePlaceText } from '../common/site.ts';

const KpiBars = lazy(() => import('../charts/KpiBars.tsx'));
const NO_GROUPS: Record<string, never> = {};

/** KPI panel (考核指标): closure rate, on-time rate, times to accept / arrive / close; by grid and kind. */
export function KpiPanel() {
  const { t, lang } = useI18n();
  const placeText = usePlaceText();
  const [period, setPeriod] = useState<KpiPeriod>('24h');
  const allData = useKpis(period, 'all');
  const all = allData ? (allData.groups.all ?? NO_TICKETS) : undefined;
  const byGrid = useKpis(period, 'grid');
  const byKind = useKpis(period, 'kind');
  // Stable props, so the (memoised) charts redraw only when their figures change.
  const gridLabel = useCallback((k: string) => placeText(k), [placeText]);
  const kindLabel = useCallback((k: string) => pick(DEVICE_KIND_LABELS[k as keyof typeof DEVICE_KIND_LABELS], lang, k), [lang]);
  const time = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : formatDuration(t, ms));

  return (
    <Card
      size="small"
      title={t('kpi')}
      data-testid="kpi-panel"
      extra={<Segmented<KpiPeriod> aria-label={t('period')} size="small" value={period} onChange={setPeriod} options={Object.keys(KPI_PERIODS) as KpiPeriod[]} />}
    >
      <Row gutter={[8, 8]}>
        <Col span={8}><Statistic title={t('closureRate')} value={pct(all?.closureRate)} data-testid="kpi-closure" /></Col>
        <Col span={8}><Statistic title={t('onTimeRate')} value={pct(all?.onTimeRate)} /></Col>
        <Col span={8}><Statistic title={`${t('closedCount')} / ${t('ticketsCount')}`} value={all ? `${all.closed} / ${all.tickets}` : '—'} data-testid="kpi-counts" /></Col>
        <Col span={6}><Statistic title={t('timeToAck')} value={time(all?.acknowledge?.meanMs)} data-testid="kpi-ack" /></Col>
        <Col span={6}><Statistic title={t('timeToAccept')} value={time(all?.accept.meanMs)} /></Col>
        <Col span={6}><Statistic title={t('timeToArrive')} value={time(all?.arrive.meanMs)} /></Col>
        <Col span={6}><Statistic title={t('timeToClose')} value={time(all?.close.meanMs)} /></Col>
      </Row>
      <ErrorBoundary fallback={null}>
      <Suspense fallback={<Spin />}>
        <Row gutter={8}>
          <Col span={12}>
            <KpiBars title={t('byGrid')} groups={byGrid?.groups ?? NO_GROUPS} label={gridLabel} />
          </Col>
          <Col span={12}>
            <KpiBars title={t('byKind')} groups={byKind?.groups ?? NO_GROUPS} label={kindLabel} />
          </Col>
        </Row>
      </Suspense>
      </ErrorBoundary>
    </Card>
  );
}
