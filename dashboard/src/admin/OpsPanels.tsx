import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Form, Input, Popconfirm, Row, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../api.ts';
import { FONT_FAMILY } from '../theme.ts';
import { adminCall, problemsOf, type Problem, type SiteJson } from './api.ts';
import { useAdminT } from './i18n.ts';

/** One definition of a silence as the API serves it (common/silences.tsx). */
export type { Silence as ActiveSilence } from '../common/silences.tsx';
import type { Silence as ActiveSilence } from '../common/silences.tsx';
import type { Kpi } from '@gridhub/core';

const KpiBars = lazy(() => import('../charts/KpiBars.tsx'));
const KpiTimes = lazy(() => import('../charts/KpiTimes.tsx'));
const fmt = (ms: number) => dayjs(ms).format('YYYY-MM-DD HH:mm');

/** Silences (屏蔽) and maintenance windows: create for an estate, building or device; end early. */
export function SilencesPanel({ site, silences, reload, preset }: { site: SiteJson; silences: ActiveSilence[]; reload(): void; preset?: { level: 'estate' | 'building' | 'device'; id: string } }) {
  const t = useAdminT();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (preset) form.setFieldsValue({ level: preset.level, id: preset.id });
  }, [preset?.id]);
  const places = site.communities.flatMap((c) => c.grids.flatMap((g) => g.estates.flatMap((e) => [{ level: 'estate', id: e.id, label: e.name }, ...e.buildings.map((b) => ({ level: 'building', id: b.id, label: `${e.name} ${b.name}` })), ...e.devices.map((d) => ({ level: 'device', id: d.id, label: d.id }))])));
  const create = async (v: { level: string; id: string; range: [Dayjs, Dayjs]; reason: string }) => {
    try {
      await adminCall('/api/silences', { method: 'POST', contentType: 'application/json', text: JSON.stringify({ [v.level]: v.id, from: v.range[0].valueOf(), to: v.range[1].valueOf(), reason: v.reason }) });
      message.success(t('ok'));
      setError(null);
      reload();
    } catch (err) {
      setError(problemsOf(err).map((p) => p.reason).join('; '));
    }
  };
  const level = Form.useWatch('level', form) as string | undefined;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card size="small" title={t('newSilence')}>
        {error && <Alert type="error" message={error} />}
        <Form form={form} layout="inline" onFinish={(v) => void create(v as never)} initialValues={{ level: 'building', range: [dayjs(), dayjs().add(4, 'hour')] }}>
          <Form.Item name="level"><Select style={{ width: 110 }} data-testid="silence-level" options={['estate', 'building', 'device'].map((l) => ({ value: l, label: t(l as 'estate') }))} /></Form.Item>
          <Form.Item name="id" rules={[{ required: true }]}><Select showSearch data-testid="silence-place" style={{ width: 240 }} options={places.filter((p) => p.level === (level ?? 'building')).map((p) => ({ value: p.id, label: p.label }))} /></Form.Item>
          <Form.Item name="range" rules={[{ required: true }]}><DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="MM-DD HH:mm" /></Form.Item>
          <Form.Item name="reason" rules={[{ required: true }]}><Input data-testid="silence-reason" placeholder={t('reason')} style={{ width: 220 }} /></Form.Item>
          <Button type="primary" htmlType="submit" data-testid="silence-create">{t('save')}</Button>
        </Form>
      </Card>
      <Table<ActiveSilence>
        data-testid="silences-table"
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={silences}
        columns={[
          { title: t('scope'), render: (_, s) => Object.entries(s.scope).filter(([, v]) => v).map(([k, v]) => `${t(k as 'estate')} ${v}`).join(' ') },
          { title: t('from'), render: (_, s) => fmt(s.fromMs) },
          { title: t('to'), render: (_, s) => fmt(s.toMs) },
          { title: t('reason'), dataIndex: 'reason' },
          { title: t('user'), dataIndex: 'createdBy' },
          { title: '', render: (_, s) => <Popconfirm title={t('endEarly')} onConfirm={() => adminCall(`/api/silences/${s.id}`, { method: 'DELETE' }).then(reload)}><Button size="small">{t('endEarly')}</Button></Popconfirm> },
        ]}
      />
    </Space>
  );
}

interface AuditRow { id: string; atMs: number; username: string | null; role: string | null; address: string; method: string; target: string; action: string; status: number; detail: string }

/** The audit log (审计日志): search, newest first, export as CSV. Nothing here edits it. */
export function AuditPanel() {
  const t = useAdminT();
  const [q, setQ] = useState('');
  const [rows, setRows] = useState<{ total: number; items: AuditRow[] }>({ total: 0, items: [] });
  const load = (text = q) => api<{ total: number; items: AuditRow[] }>(`/api/admin/audit?limit=200${text ? `&q=${encodeURIComponent(text)}` : ''}`).then(setRows, () => undefined);
  useEffect(() => void load(), []);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Input.Search data-testid="audit-search" placeholder={t('search')} allowClear onSearch={(v) => (setQ(v), void load(v))} style={{ width: 320 }} />
        <a href={`/api/admin/audit.csv?limit=10000${q ? `&q=${encodeURIComponent(q)}` : ''}`}>{t('exportCsv')}</a>
        <Typography.Text type="secondary">{rows.total}</Typography.Text>
      </Space>
      <Table<AuditRow>
        data-testid="audit-table"
        size="small"
        rowKey="id"
        pagination={{ pageSize: 20 }}
        dataSource={rows.items}
        columns={[
          { title: t('time'), render: (_, r) => dayjs(r.atMs).format('MM-DD HH:mm:ss'), width: 130 },
          { title: t('user'), render: (_, r) => `${r.username ?? '—'}${r.role ? ` (${r.role})` : ''}` },
          { title: t('address'), dataIndex: 'address' },
          { title: t('action'), render: (_, r) => <code>{r.method} {r.target}</code> },
          { title: t('status'), render: (_, r) => <Tag color={r.status < 400 ? 'green' : 'red'}>{r.status}</Tag> },
          { title: '', dataIndex: 'detail', ellipsis: true },
        ]}
      />
    </Space>
  );
}

interface DryRun { readings: number; firings: number; byRule: { ruleId: string; firings: number; devices: { deviceId: string; firings: number }[] }[] }
interface Version { version: number; savedBy: string; savedMs: number; note: string }

/** Rules (规则): the rule set as YAML, validated as you type; a dry run over 7 days of readings; versions and revert. */
export function RulesPanel() {
  const t = useAdminT();
  const { message } = App.useApp();
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [dry, setDry] = useState<DryRun | null>(null);
  const [versions, setVersions] = useState<Version[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const loadVersions = () => api<Version[]>('/api/admin/rules/versions').then(setVersions, () => undefined);
  useEffect(() => {
    void api<{ source: string | null; defaults: string }>('/api/rules').then((r) => setText(r.source ?? r.defaults));
    void loadVersions();
  }, []);
  const validate = (v: string) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void adminCall<{ ok: boolean; problems: Problem[] }>('/api/admin/rules/validate', { method: 'POST', contentType: 'text/yaml', text: v }).then((r) => setProblems(r.problems), (err) => setProblems(problemsOf(err))), 300);
  };
  const save = async () => {
    try {
      await adminCall('/api/rules', { method: 'PUT', contentType: 'text/yaml', text });
      message.success(t('ok'));
      void loadVersions();
    } catch (err) {
      setProblems(problemsOf(err));
    }
  };
  return (
    <Row gutter={16}>
      <Col xs={24} lg={15}>
        <Card size="small" title={t('ruleEditor')} extra={<Space><Button data-testid="rules-dry-run" onClick={() => void adminCall<DryRun>('/api/admin/rules/dry-run', { method: 'POST', contentType: 'text/yaml', text }).then(setDry, (err) => setProblems(problemsOf(err)))}>{t('dryRun')}</Button><Button type="primary" data-testid="rules-save" onClick={() => void save()}>{t('save')}</Button></Space>}>
          <Input.TextArea data-testid="rules-text" value={text} onChange={(e) => (setText(e.target.value), validate(e.target.value))} autoSize={{ minRows: 18, maxRows: 30 }} style={{ fontFamily: `ui-monospace, 'DejaVu Sans Mono', monospace, ${FONT_FAMILY}`, fontSize: 12 }} spellCheck={false} />
          <div data-testid="rules-problems" style={{ marginTop: 8 }}>
            {problems && (problems.length ? problems.map((p, i) => <Alert key={i} type="error" showIcon message={`${p.path}: ${p.reason}`} style={{ marginBottom: 4 }} />) : <Alert type="success" showIcon message={t('valid')} />)}
          </div>
          {dry && (
            <Card size="small" data-testid="dry-run-result" title={`${t('wouldFire', { n: dry.firings })} · ${t('readingsReplayed', { n: dry.readings })}`} style={{ marginTop: 8 }}>
              <Table size="small" rowKey="ruleId" pagination={false} dataSource={dry.byRule} columns={[{ title: 'rule', dataIndex: 'ruleId' }, { title: 'N', dataIndex: 'firings' }, { title: t('devices'), render: (_, r) => r.devices.slice(0, 6).map((d) => `${d.deviceId} ×${d.firings}`).join(', ') }]} />
            </Card>
          )}
        </Card>
      </Col>
      <Col xs={24} lg={9}>
        <Card size="small" title={t('versions')}>
          <Table<Version>
            size="small"
            rowKey="version"
            pagination={{ pageSize: 15 }}
            dataSource={versions}
            columns={[
              { title: '#', dataIndex: 'version' },
              { title: t('savedBy'), dataIndex: 'savedBy' },
              { title: t('savedAt'), render: (_, v) => fmt(v.savedMs) },
              { title: '', dataIndex: 'note' },
              { title: '', render: (_, v) => <Popconfirm title={`${t('revert')} #${v.version}?`} onConfirm={() => adminCall(`/api/admin/rules/versions/${v.version}/revert`, { method: 'POST' }).then(() => api<{ source: string | null; defaults: string }>('/api/rules')).then((r) => (setText(r.source ?? r.defaults), void loadVersions()))}><Button size="small">{t('revert')}</Button></Popconfirm> },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}

interface KpiRow { tickets: number; closed: number; closureRate: number | null; onTimeRate: number | null; accept: { meanMs: number | null }; arrive: { meanMs: number | null }; close: { meanMs: number | null } }
interface Monthly { month: string; all: KpiRow; open: number; overdue: number; groups: Record<'grid' | 'estate' | 'warden' | 'kind', Record<string, KpiRow>>; names?: Record<string, string> }
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const mins = (ms: number | null) => (ms === null ? '—' : `${(ms / 60000).toFixed(1)} min`);

/** Reports (报表): KPIs by grid, estate, warden and kind for a month, as tables and bars; Excel export; printable. */
export function ReportsPanel() {
  const t = useAdminT();
  const [month, setMonth] = useState(dayjs().format('YYYY-MM'));
  const [by, setBy] = useState<'grid' | 'estate' | 'warden' | 'kind'>('grid');
  const [r, setR] = useState<Monthly | null>(null);
  useEffect(() => void api<Monthly>(`/api/admin/reports/monthly?month=${month}`).then(setR, () => setR(null)), [month]);
  const rows = r ? Object.entries(r.groups[by]).map(([key, k]) => ({ key, ...k })) : [];
  const max = Math.max(1, ...rows.map((x) => x.tickets));
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="report">
      <Space wrap className="no-print">
        <DatePicker picker="month" value={dayjs(`${month}-01`)} onChange={(d) => d && setMonth(d.format('YYYY-MM'))} allowClear={false} />
        <Select value={by} onChange={setBy} style={{ width: 140 }} options={(['grid', 'estate', 'warden', 'kind'] as const).map((b) => ({ value: b, label: t(b === 'kind' ? 'kind' : b) }))} />
        <a href={`/api/admin/reports/monthly.xlsx?month=${month}`}>{t('exportExcel')}</a>
        <Button onClick={() => window.print()}>{t('print')}</Button>
      </Space>
      {r && (
        <>
          <Typography.Title level={4}>{t('monthly')} {r.month}</Typography.Title>
          <Space size="large" wrap>
            <span>{t('total')}: <b>{r.all.tickets}</b></span>
            <span>{t('closed')}: <b>{r.all.closed}</b></span>
            <span>{t('closureRate')}: <b>{pct(r.all.closureRate)}</b></span>
            <span>{t('onTimeRate')}: <b>{pct(r.all.onTimeRate)}</b></span>
            <span>{t('toAccept')}: <b>{mins(r.all.accept.meanMs)}</b></span>
            <span>{t('toArrive')}: <b>{mins(r.all.arrive.meanMs)}</b></span>
            <span>{t('toClose')}: <b>{mins(r.all.close.meanMs)}</b></span>
            <span>{t('open')}: <b>{r.open}</b></span>
            <span>{t('overdue')}: <b>{r.overdue}</b></span>
          </Space>
          <Row gutter={16} data-testid="report-charts">
            <Col xs={24} lg={12}>
              <Suspense fallback={<div style={{ height: 200 }} />}>
                <KpiBars title={`${t('closureRate')} / ${t('onTimeRate')}`} groups={r.groups[by] as unknown as Record<string, Kpi>} label={(k) => r.names?.[k] ?? k} />
              </Suspense>
            </Col>
            <Col xs={24} lg={12}>
              <Suspense fallback={<div style={{ height: 200 }} />}>
                <KpiTimes title={t('minutes')} groups={r.groups[by] as unknown as Record<string, Kpi>} label={(k) => r.names?.[k] ?? k} series={{ accept: t('toAccept'), arrive: t('toArrive'), close: t('toClose') }} />
              </Suspense>
            </Col>
          </Row>
          <Table
            size="small"
            pagination={false}
            dataSource={rows}
            columns={[
              { title: t(by === 'kind' ? 'kind' : by), render: (_, x) => (r.names?.[x.key] ? <span data-testid="report-name">{r.names[x.key]} <Typography.Text type="secondary" style={{ fontSize: 12 }}>{x.key}</Typography.Text></span> : x.key) },
              { title: t('total'), render: (_, x) => <span><span style={{ display: 'inline-block', width: 120 * (x.tickets / max), height: 10, background: '#1677ff', marginRight: 6 }} />{x.tickets}</span> },
              { title: t('closureRate'), render: (_, x) => pct(x.closureRate) },
              { title: t('onTimeRate'), render: (_, x) => pct(x.onTimeRate) },
              { title: t('toAccept'), render: (_, x) => mins(x.accept.meanMs) },
              { title: t('toArrive'), render: (_, x) => mins(x.arrive.meanMs) },
              { title: t('toClose'), render: (_, x) => mins(x.close.meanMs) },
            ]}
          />
        </>
      )}
    </Space>
  );
}
