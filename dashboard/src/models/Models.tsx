import { useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Form, Input, InputNumber, Layout, Radio, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { User } from '@gridhub/core';
import { ApiError } from '../api.ts';
import { Header } from '../common/Header.tsx';
import { useI18n } from '../i18n.ts';
import { decodeFrame, listModels, uploadCodec, type DecodeAnswer, type ModelRow } from './api.ts';

const json = (v: unknown) => JSON.stringify(v, null, 2);

/**
 * Device models (设备型号), admin: the models the hub knows; paste a frame (hex or base64) with its
 * fPort and see the codec's own output beside our contract's messages; give a model the vendor's
 * decoder (TTN format).
 */
export default function Models({ user, logout }: { user: User; logout(): void }) {
  const { t } = useI18n();
  const [models, setModels] = useState<ModelRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = () => listModels().then((r) => setModels(r.models), (e: Error) => setError(e.message));
  useEffect(() => void reload(), []);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ background: '#0b1a2e', color: '#fff', height: 'auto', lineHeight: 1.5, padding: '10px 16px' }}>
        <Header user={user} logout={logout} title={`${t('app')} · ${t('models')}`} />
      </Layout.Header>
      <Layout.Content style={{ padding: 16 }}>
        {error && <Alert type="error" message={error} style={{ marginBottom: 12 }} />}
        {user.role !== 'admin' && <Alert type="info" message={t('modelsAdminOnly')} style={{ marginBottom: 12 }} />}
        <Row gutter={16}>
          <Col xs={24} lg={10}>
            <Card title={t('models')} size="small">
              <Table<ModelRow>
                size="small"
                rowKey="id"
                pagination={false}
                dataSource={models}
                columns={[
                  { title: t('model'), dataIndex: 'id' },
                  { title: t('vendor'), render: (_, m) => `${m.vendor} ${m.name}` },
                  { title: t('kind'), dataIndex: 'kind' },
                  { title: t('codec'), render: (_, m) => <Tag color={m.codec === 'builtin' ? 'blue' : 'gold'}>{m.codec === 'builtin' ? t('codecBuiltin') : t('codecUploaded')}</Tag> },
                ]}
              />
            </Card>
          </Col>
          <Col xs={24} lg={14}>
            <DecodePanel models={models} />
            {user.role === 'admin' && <UploadPanel onDone={reload} />}
          </Col>
        </Row>
      </Layout.Content>
    </Layout>
  );
}

function DecodePanel({ models }: { models: ModelRow[] }) {
  const { t } = useI18n();
  const [model, setModel] = useState<string>();
  const [fPort, setFPort] = useState<number>(85);
  const [encoding, setEncoding] = useState<'hex' | 'base64'>('hex');
  const [frame, setFrame] = useState('');
  const [binDepthMm, setDepth] = useState<number | null>(null);
  const [answer, setAnswer] = useState<DecodeAnswer | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const run = async () => {
    if (!model) return;
    setFailure(null);
    try {
      setAnswer(await decodeFrame(model, fPort, frame.trim(), encoding, binDepthMm ? { binDepthMm } : {}));
    } catch (e) {
      setAnswer(null);
      setFailure(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  return (
    <Card title={t('decodeFrame')} size="small" style={{ marginBottom: 16 }}>
      <Form layout="vertical" onFinish={run}>
        <Space wrap>
          <Form.Item label={t('model')}>
            <Select style={{ width: 240 }} value={model} onChange={setModel} showSearch options={models.map((m) => ({ value: m.id, label: `${m.id} (${m.kind})` }))} aria-label="model" />
          </Form.Item>
          <Form.Item label="fPort">
            <InputNumber min={0} max={255} value={fPort} onChange={(v) => setFPort(v ?? 0)} aria-label="fPort" />
          </Form.Item>
          <Form.Item label={t('binDepth')}>
            <InputNumber min={1} max={10000} value={binDepthMm} onChange={(v) => setDepth(v)} aria-label="binDepthMm" />
          </Form.Item>
          <Form.Item label={t('encoding')}>
            <Radio.Group value={encoding} onChange={(e) => setEncoding(e.target.value as 'hex' | 'base64')} options={[{ value: 'hex', label: 'hex' }, { value: 'base64', label: 'base64' }]} />
          </Form.Item>
        </Space>
        <Form.Item label={t('frame')}>
          <Input.TextArea rows={2} value={frame} onChange={(e) => setFrame(e.target.value)} placeholder="01755C0367010104824408050001" aria-label="frame" style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" data-testid="decode" disabled={!model || !frame.trim()}>
          {t('decode')}
        </Button>
      </Form>
      {failure && <Alert type="error" message={failure} style={{ marginTop: 12 }} />}
      {answer && (
        <Row gutter={12} style={{ marginTop: 12 }}>
          <Col xs={24} md={12}>
            <Typography.Text strong>{t('decodedByCodec')}</Typography.Text>
            <pre data-testid="decoded" style={{ background: '#f5f5f5', padding: 8, overflow: 'auto' }}>{json(answer.decoded)}</pre>
          </Col>
          <Col xs={24} md={12}>
            <Typography.Text strong>{t('contractReading')}</Typography.Text>
            <pre data-testid="reading" style={{ background: '#f5f5f5', padding: 8, overflow: 'auto' }}>{json(answer.reading)}</pre>
          </Col>
          {answer.errors.map((e) => (
            <Col span={24} key={e.code + e.message}>
              <Alert type="error" message={`${e.code}: ${e.message}`} />
            </Col>
          ))}
          {answer.warnings.map((w) => (
            <Col span={24} key={w}>
              <Alert type="warning" message={w} />
            </Col>
          ))}
        </Row>
      )}
    </Card>
  );
}

function UploadPanel({ onDone }: { onDone(): void }) {
  const { t } = useI18n();
  const [model, setModel] = useState('');
  const [kind, setKind] = useState('bin');
  const [source, setSource] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const save = async () => {
    try {
      const r = await uploadCodec(model.trim(), kind, source);
      setResult({ ok: true, text: t('codecSaved', { model: r.model.id }) });
      onDone();
    } catch (e) {
      setResult({ ok: false, text: e instanceof ApiError ? `${e.code}: ${e.message}` : String(e) });
    }
  };
  return (
    <Card title={t('uploadCodec')} size="small">
      <Form layout="vertical" onFinish={save}>
        <Space wrap>
          <Form.Item label={t('model')}>
            <Input style={{ width: 240 }} value={model} onChange={(e) => setModel(e.target.value)} placeholder="milesight-em400-udl" aria-label="upload model" />
          </Form.Item>
          <Form.Item label={t('kind')}>
            <Select style={{ width: 140 }} value={kind} onChange={setKind} options={['smoke', 'bin', 'manhole', 'ebike'].map((k) => ({ value: k, label: k }))} />
          </Form.Item>
        </Space>
        <Form.Item label={t('codecSource')}>
          <Input.TextArea rows={8} value={source} onChange={(e) => setSource(e.target.value)} placeholder="function decodeUplink(input) { return { data: {} }; }" style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Button htmlType="submit" disabled={!model.trim() || !source.trim()}>
          {t('save')}
        </Button>
      </Form>
      {result && <Alert type={result.ok ? 'success' : 'error'} message={result.text} style={{ marginTop: 12 }} />}
    </Card>
  );
}
