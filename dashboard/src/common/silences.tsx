import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Form, Input, Popconfirm, Space, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api, ApiError, post } from '../api.ts';
import { useI18n } from '../i18n.ts';

/** A silence (屏蔽) as GET /api/silences serves it. */
export interface Silence { id: string; scope: { estate?: string; building?: string; device?: string }; fromMs: number; toMs: number; reason: string; createdBy: string }
export type SilenceScope = { estate: string } | { building: string } | { device: string };

/** The active silences the user may see, refreshed every 30 s and on demand. */
export function useSilences(): { silences: Silence[]; reload(): void } {
  const [silences, setSilences] = useState<Silence[]>([]);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    let on = true;
    api<Silence[]>('/api/silences?active=true').then((s) => on && setSilences(s), () => undefined);
    const timer = setInterval(reload, 30_000);
    return () => {
      on = false;
      clearInterval(timer);
    };
  }, [tick, reload]);
  return { silences, reload };
}

/** The silences in force now on a device, building or estate (a device is silenced by its building's and estate's too). */
export function silencesOn(silences: readonly Silence[], at: { device?: string; building?: string | null; estate?: string }, nowMs = Date.now()): Silence[] {
  return silences.filter(
    (s) => s.fromMs <= nowMs && nowMs < s.toMs && ((at.device && s.scope.device === at.device) || (at.building && s.scope.building === at.building) || (at.estate && s.scope.estate === at.estate)),
  );
}

const when = (ms: number, lang: 'zh' | 'en') => new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });

/**
 * Where users work (device drawer, a building on the plan): the silences in force, until when and
 * why, ended early with one click; and a new one (from, to, reason) for operators and admins.
 */
export function SilenceBox({ scope, active, canEdit, onChange }: { scope: SilenceScope; active: Silence[]; canEdit: boolean; onChange(): void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ range: [Dayjs, Dayjs]; reason: string }>();
  const fail = (err: unknown) => message.error(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
  const create = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await post('/api/silences', { ...scope, from: v.range[0].valueOf(), to: v.range[1].valueOf(), reason: v.reason });
      setOpen(false);
      form.resetFields();
      onChange();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const end = async (id: string) => {
    try {
      await api(`/api/silences/${encodeURIComponent(id)}`, { method: 'DELETE' });
      onChange();
    } catch (err) {
      fail(err);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="silence-box">
      {active.map((s) => (
        <Alert
          key={s.id}
          type="warning"
          showIcon
          data-testid="silence-active"
          message={`${t('silencedUntil', { to: when(s.toMs, lang) })} · ${s.reason}`}
          description={<Typography.Text type="secondary">{t('silencedBy', { who: s.createdBy, from: when(s.fromMs, lang) })}</Typography.Text>}
          action={canEdit ? <Popconfirm title={t('endSilence')} onConfirm={() => void end(s.id)}><Button size="small" data-testid="silence-end">{t('endSilence')}</Button></Popconfirm> : undefined}
        />
      ))}
      {canEdit && !open && <Button size="small" data-testid="silence-new" onClick={() => setOpen(true)}>{t('newSilence')}</Button>}
      {canEdit && open && (
        <Card size="small" title={t('newSilence')}>
          <Form form={form} layout="vertical" requiredMark={false} initialValues={{ range: [dayjs(), dayjs().add(2, 'hour')] }}>
            <Form.Item name="range" label={t('silenceWindow')} rules={[{ required: true }]}>
              <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" data-testid="silence-range" />
            </Form.Item>
            <Form.Item name="reason" label={t('reason')} rules={[{ required: true, whitespace: true, message: t('reasonRequired') }]}>
              <Input data-testid="silence-reason" />
            </Form.Item>
            <Space>
              <Button type="primary" loading={busy} onClick={() => void create()} data-testid="silence-save">{t('submit')}</Button>
              <Button onClick={() => setOpen(false)}>{t('cancel')}</Button>
            </Space>
          </Form>
        </Card>
      )}
    </Space>
  );
}
