import { useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import QRCode from 'qrcode';
import type { DeviceState } from '@gridhub/core';
import { api } from '../api.ts';
import { adminCall, importDevices, problemsOf, siteOps, type Problem, type SiteChange, type SiteEstate, type SiteNodeDevice } from './api.ts';
import { ChangesTable } from './SitePanel.tsx';
import { useAdminT } from './i18n.ts';

interface Unclaimed { network: string; identityType: 'devEui' | 'imei' | 'platformDeviceId'; identity: string; lastSeenMs: number; count: number; detail: Record<string, string> }
type Live = { id: string; state: DeviceState | null; liveness: string };

/** What the installer scans: the device id, its secret and where to connect. */
export function provisioningText(deviceId: string, secret: string): string {
  return JSON.stringify({ id: deviceId, secret, mqtt: `${location.protocol === 'https:' ? 'mqtts' : 'mqtt'}://${location.hostname}` });
}

/** Devices (设备) of an estate: add one or many, claim an unclaimed one, secrets (shown once, QR), revoke, state. */
export function DevicesPanel({ estate, reload, silenced }: { estate: SiteEstate; reload(): void; silenced: ReadonlySet<string> }) {
  const t = useAdminT();
  const { message } = App.useApp();
  const [live, setLive] = useState<Map<string, Live>>(new Map());
  const [unclaimed, setUnclaimed] = useState<Unclaimed[]>([]);
  const [secret, setSecret] = useState<{ id: string; secret: string; qr: string } | null>(null);
  const [adding, setAdding] = useState<Partial<SiteNodeDevice> | null>(null);
  const [bulk, setBulk] = useState<{ file: File; changes: SiteChange[] | null; problems: Problem[] | null } | null>(null);
  const [form] = Form.useForm();

  useEffect(() => {
    let on = true;
    api<{ items: Live[] }>(`/api/devices?estate=${encodeURIComponent(estate.id)}&limit=1000`).then((r) => on && setLive(new Map(r.items.map((d) => [d.id, d]))), () => undefined);
    api<{ items: Unclaimed[] }>('/api/devices/unclaimed?limit=50').then((r) => on && setUnclaimed(r.items), () => undefined);
    return () => {
      on = false;
    };
  }, [estate]);

  const provision = async (id: string) => {
    const r = await adminCall<{ secret: string }>(`/api/admin/devices/${encodeURIComponent(id)}/secret`, { method: 'POST' });
    setSecret({ id, secret: r.secret, qr: await QRCode.toDataURL(provisioningText(id, r.secret), { margin: 1, width: 220 }) });
  };
  const revoke = async (id: string) => {
    await adminCall(`/api/admin/devices/${encodeURIComponent(id)}/secret`, { method: 'DELETE' });
    message.success(`${id}: ${t('revoked')}`);
    reload();
  };
  const save = async (v: Record<string, unknown>) => {
    const node: Record<string, unknown> = Object.fromEntries(Object.entries({ ...adding, ...v }).filter(([k, x]) => x !== undefined && x !== null && x !== '' && k !== 'x' && k !== 'y'));
    if (v.x !== undefined && v.x !== null && v.y !== undefined && v.y !== null) node.position = { x: v.x, y: v.y };
    try {
      await siteOps([{ op: 'add', level: 'device', parent: estate.id, node }]);
      setAdding(null);
      form.resetFields();
      reload();
    } catch (err) {
      Modal.error({ title: t('problems'), content: <ChangesTable changes={null} problems={problemsOf(err)} />, width: 640 });
    }
  };
  // Retire is a state (撤销): the device keeps its history and tickets, can no longer connect; restore brings it back.
  const retire = async (id: string, op: 'retire' | 'restore') => {
    try {
      await siteOps([{ op, id }]);
      message.success(`${id}: ${t(op === 'retire' ? 'retiredTag' : 'restore')}`);
      reload();
    } catch (err) {
      Modal.error({ title: t('problems'), content: <ChangesTable changes={null} problems={problemsOf(err)} />, width: 640 });
    }
  };
  const bulkUpload = async (file: File) => {
    try {
      setBulk({ file, changes: (await importDevices(file, false)).changes, problems: null });
    } catch (err) {
      setBulk({ file, changes: null, problems: problemsOf(err) });
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Button type="primary" data-testid="add-device" onClick={() => setAdding({ kind: 'smoke' })}>{t('add')} {t('device')}</Button>
        <Upload accept=".csv,.xlsx" showUploadList={false} beforeUpload={(f) => (void bulkUpload(f), false)}>
          <Button>{t('bulkAdd')}</Button>
        </Upload>
      </Space>
      <Table<SiteNodeDevice>
        data-testid="devices-table"
        size="small"
        rowKey="id"
        pagination={{ pageSize: 12 }}
        dataSource={estate.devices}
        columns={[
          { title: t('id'), dataIndex: 'id' },
          { title: t('kind'), dataIndex: 'kind' },
          { title: t('building'), render: (_, d) => [d.building, d.unit, d.floor !== undefined ? `${d.floor}F` : ''].filter(Boolean).join(' / ') },
          { title: t('state'), render: (_, d) => { const l = live.get(d.id); if (d.retired) return <Tag data-testid={`retired-${d.id}`}>{t('retiredTag')} · {d.retired.by}</Tag>; return <Space size={2}><Tag color={l?.state?.connected ? 'green' : 'default'}>{l?.liveness ?? '—'}</Tag>{silenced.has(d.id) || (d.building && silenced.has(d.building)) || silenced.has(estate.id) ? <Tag color="orange">{t('silencedOnPlan')}</Tag> : null}</Space>; } },
          { title: t('battery'), render: (_, d) => live.get(d.id)?.state?.batteryPct ?? '—' },
          { title: t('signal'), render: (_, d) => { const s = live.get(d.id)?.state; return s?.radio?.rssiDbm ?? (s?.latest.rssi_dbm as number | undefined) ?? '—'; } },
          { title: t('refusals'), render: (_, d) => live.get(d.id)?.state?.refusedCount ?? 0 },
          {
            title: t('secret'),
            render: (_, d) => d.retired ? (
              <Button size="small" data-testid={`restore-${d.id}`} onClick={() => void retire(d.id, 'restore')}>{t('restore')}</Button>
            ) : (
              <Space size="small">
                <Popconfirm title={`${t('retire')} ${d.id}?`} onConfirm={() => void retire(d.id, 'retire')}>
                  <Button size="small" data-testid={`retire-${d.id}`}>{t('retire')}</Button>
                </Popconfirm>
                <Button size="small" data-testid={`provision-${d.id}`} onClick={() => void provision(d.id)}>{t('provision')}</Button>
                <Popconfirm title={`${t('revoke')} ${d.id}?`} onConfirm={() => void revoke(d.id)} okButtonProps={{ 'data-testid': 'revoke-confirm' } as never}>
                  <Button size="small" danger data-testid={`revoke-${d.id}`}>{t('revoke')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {unclaimed.length > 0 && (
        <Card size="small" title={t('unclaimed')}>
          <Table<Unclaimed>
            size="small"
            rowKey={(u) => `${u.identityType}:${u.identity}`}
            pagination={false}
            dataSource={unclaimed}
            columns={[
              { title: 'network', dataIndex: 'network' },
              { title: t('id'), render: (_, u) => `${u.identityType} ${u.identity}` },
              { title: '', render: (_, u) => Object.entries(u.detail).map(([k, v]) => `${k}: ${v}`).join(', ') },
              { title: '', render: (_, u) => <Button size="small" onClick={() => setAdding({ kind: 'smoke', ...(u.identityType === 'devEui' ? { dev_eui: u.identity } : u.identityType === 'imei' ? { imei: u.identity } : {}) })}>{t('claim')}</Button> },
            ]}
          />
        </Card>
      )}
      <Modal open={secret !== null} title={`${t('secret')} · ${secret?.id ?? ''}`} onCancel={() => setSecret(null)} footer={<Button onClick={() => setSecret(null)}>{t('close')}</Button>}>
        {secret && (
          <Space direction="vertical" align="center" style={{ width: '100%' }}>
            <Typography.Text type="warning">{t('secretOnce')}</Typography.Text>
            <Typography.Text code copyable data-testid="device-secret">{secret.secret}</Typography.Text>
            <img src={secret.qr} alt="QR" width={220} height={220} data-testid="device-secret-qr" />
          </Space>
        )}
      </Modal>
      <Modal open={adding !== null} title={`${t('add')} ${t('device')} · ${estate.name}`} onCancel={() => setAdding(null)} onOk={() => form.submit()} okText={t('save')} cancelText={t('cancel')} okButtonProps={{ 'data-testid': 'device-save' } as never} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={adding ?? {}} onFinish={(v) => void save(v as Record<string, unknown>)}>
          <Form.Item name="id" label={t('id')} rules={[{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/ }]}><Input data-testid="device-id" /></Form.Item>
          <Form.Item name="kind" label={t('kind')} rules={[{ required: true }]}><Select data-testid="device-kind" options={['smoke', 'bin', 'manhole', 'ebike'].map((k) => ({ value: k, label: k }))} /></Form.Item>
          <Space wrap>
            <Form.Item name="building" label={t('building')}><Select allowClear style={{ width: 160 }} data-testid="device-building" options={estate.buildings.map((b) => ({ value: b.id, label: b.name }))} /></Form.Item>
            <Form.Item name="unit" label={t('unit')}><Select allowClear style={{ width: 140 }} options={estate.buildings.flatMap((b) => b.units.map((u) => ({ value: u.id, label: `${b.name} ${u.name}` })))} /></Form.Item>
            <Form.Item name="floor" label={t('floor')}><InputNumber /></Form.Item>
            <Form.Item name="elevator" label={t('elevator')}><Input style={{ width: 120 }} /></Form.Item>
          </Space>
          <Space wrap>
            <Form.Item name="x" label={t('x')}><InputNumber min={0} /></Form.Item>
            <Form.Item name="y" label={t('y')}><InputNumber min={0} /></Form.Item>
            <Form.Item name="bin_depth_mm" label="bin_depth_mm"><InputNumber min={100} max={5000} /></Form.Item>
            <Form.Item name="model" label="model"><Input style={{ width: 160 }} /></Form.Item>
            <Form.Item name="dev_eui" label="DevEUI"><Input style={{ width: 180 }} /></Form.Item>
            <Form.Item name="imei" label="IMEI"><Input style={{ width: 180 }} /></Form.Item>
          </Space>
        </Form>
      </Modal>
      <Modal
        open={bulk !== null}
        width={760}
        title={t('importPreview')}
        onCancel={() => setBulk(null)}
        okText={t('apply')}
        okButtonProps={{ disabled: !bulk?.changes?.length }}
        onOk={async () => {
          if (!bulk) return;
          try {
            await importDevices(bulk.file, true);
            setBulk(null);
            reload();
          } catch (err) {
            setBulk({ ...bulk, changes: null, problems: problemsOf(err) });
          }
        }}
      >
        {bulk && <ChangesTable changes={bulk.changes} problems={bulk.problems} />}
      </Modal>
    </Space>
  );
}
