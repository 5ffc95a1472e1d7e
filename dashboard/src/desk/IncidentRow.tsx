import { useState } from 'react';
import { App, Button, Form, Input, Modal, Select, Space, Tag, Typography } from 'antd';
import { FireFilled } from '@ant-design/icons';
import type { User } from '@gridhub/core';
import { ApiError } from '../api.ts';
import { DEPARTMENTS, DEPARTMENT_LABELS, mayTake } from '../core.ts';
import type { LiveIncident } from '../common/incidents.ts';
import { usePlaceText } from '../common/site.ts';
import { actIncident, type ActionInput } from '../common/tickets.ts';
import { useNow } from '../common/useNow.ts';
import { WardenSelect } from '../common/WardenSelect.tsx';
import { formatDuration, pick, useI18n } from '../i18n.ts';
import { useLiveStore } from '../live/LiveProvider.tsx';

/** Sorted floors as runs: [1, 2, 3, 5] -> [[1, 3], [5, 5]] ("1–3层、5层"). */
export function floorRanges(floors: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const f of floors) {
    const last = out.at(-1);
    if (last && f === last[1] + 1) last[1] = f;
    else out.push([f, f]);
  }
  return out;
}

/** "枫林苑 / 2号楼 · 1单元 · 1–6层": where an incident is, as people say it. */
export function useIncidentPlace(): (i: LiveIncident) => string {
  const { t, lang } = useI18n();
  const placeText = usePlaceText();
  return (i) => {
    const parts = [placeText(i.estateId, i.buildingId)];
    if (i.unitIds.length) parts.push(i.unitIds.map((u) => placeText(u)).join(lang === 'zh' ? '、' : ', '));
    if (i.floors.length) parts.push(floorRanges(i.floors).map(([a, b]) => (a === b ? t('floorN', { n: a }) : t('floorRange', { a, b }))).join(lang === 'zh' ? '、' : ', '));
    return parts.join(' · ');
  };
}

/**
 * One row for a whole incident (a confirmed fire) at the top of the alarm list: building, units,
 * floors, detectors, first alarm and how long ago; flashing until every alarm of it is
 * acknowledged; one action acknowledges, dispatches or escalates (吹哨) all its tickets.
 */
export function IncidentRow({ incident: i, user, onOpen }: { incident: LiveIncident; user: User; onOpen(ticketId: string): void }) {
  const { t, lang } = useI18n();
  const now = useNow();
  const where = useIncidentPlace();
  const { message } = App.useApp();
  const store = useLiveStore();
  const [form, setForm] = useState<'dispatch' | 'whistle' | null>(null);
  const ringing = i.unacknowledged > 0;
  const departments = [...new Set(i.tickets.map((x) => x.department).filter((d) => d !== null))];

  const run = async (action: 'acknowledge' | 'dispatch' | 'whistle', input: ActionInput = {}) => {
    try {
      for (const x of await actIncident(i.id, action, input)) store.upsertTicket(x);
      return true;
    } catch (err) {
      message.error(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
      return false;
    }
  };

  return (
    <div
      className={ringing ? 'alarm-flash' : undefined}
      data-testid={`incident-${i.id}`}
      data-incident={i.id}
      data-unacked={i.unacknowledged}
      role="alert"
      style={{ border: '2px solid #cf1322', borderRadius: 6, padding: '6px 8px', margin: '2px 0 6px', background: ringing ? undefined : '#fff1f0' }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
        <FireFilled style={{ color: '#cf1322', fontSize: 20 }} />
        <Tag color="red" style={{ marginInlineEnd: 0 }}>{i.priority}</Tag>
        <Typography.Text strong style={{ fontSize: 16 }}>{t('incidentTitle')}</Typography.Text>
        <Typography.Text strong>{where(i)}</Typography.Text>
      </div>
      <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', fontSize: 13, margin: '2px 0 4px 28px' }}>
        <span>{t('detectorsN', { n: i.deviceIds.length })}</span>
        <span>
          {t('firstAlarm')} {new Date(i.firstAlarmMs).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false })}
        </span>
        <span data-testid="incident-elapsed">{t('elapsed', { t: formatDuration(t, now - i.firstAlarmMs) })}</span>
        {ringing ? <Tag color="red">{t('unacked', { n: i.unacknowledged })}</Tag> : <Tag color="green">{t('acknowledged')}</Tag>}
        {departments.map((d) => (
          <Tag key={d} color="volcano">{t('withDepartment', { dept: pick(DEPARTMENT_LABELS[d], lang) })}</Tag>
        ))}
      </div>
      {(mayTake(user.role, 'acknowledge') || mayTake(user.role, 'dispatch') || mayTake(user.role, 'whistle')) && (
        <Space wrap size={4} style={{ marginLeft: 28 }}>
          {ringing && mayTake(user.role, 'acknowledge') && (
            <Button type="primary" danger size="small" data-action="incident-acknowledge" onClick={() => void run('acknowledge')}>
              {t('ackAll')}
            </Button>
          )}
          {mayTake(user.role, 'dispatch') && (
            <Button size="small" data-action="incident-dispatch" onClick={() => setForm('dispatch')}>
              {t('incidentDispatch')}
            </Button>
          )}
          {mayTake(user.role, 'whistle') && (
            <Button size="small" danger data-action="incident-whistle" onClick={() => setForm('whistle')}>
              {t('incidentWhistle')}
            </Button>
          )}
        </Space>
      )}
      {/* The floors with alarms, each with its detectors (one link a detector: its ticket). */}
      <div data-testid="incident-floors" style={{ display: 'flex', flexWrap: 'wrap', gap: '2px 10px', margin: '4px 0 0 28px', fontSize: 13 }}>
        {i.byFloor.map(({ floor, tickets }) => (
          <span key={floor ?? 'none'} data-testid={`incident-floor-${floor ?? 'none'}`} data-detectors={tickets.length} style={{ whiteSpace: 'nowrap' }}>
            <Typography.Text strong type="danger">{floor === null ? t('detectors') : t('floorN', { n: floor })}</Typography.Text>
            {tickets.map((x, n) => (
              <Button key={x.id} size="small" type="link" danger={x.acknowledgedMs === null} data-testid={`incident-ticket-${x.id}`} onClick={() => onOpen(x.id)} style={{ paddingInline: 3, height: 20 }} title={x.deviceId}>
                {t('detectorN', { n: n + 1 })}
              </Button>
            ))}
          </span>
        ))}
      </div>
      {form && <IncidentForm incident={i} action={form} onClose={() => setForm(null)} run={run} />}
    </div>
  );
}

function IncidentForm({ incident, action, onClose, run }: { incident: LiveIncident; action: 'dispatch' | 'whistle'; onClose(): void; run(a: 'dispatch' | 'whistle', i: ActionInput): Promise<boolean> }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = (await form.validateFields()) as ActionInput;
    setBusy(true);
    const ok = await run(action, v);
    setBusy(false);
    if (ok) onClose();
  };
  return (
    <Modal open title={action === 'dispatch' ? t('incidentDispatch') : t('incidentWhistle')} onCancel={onClose} onOk={submit} confirmLoading={busy} okText={t('submit')} cancelText={t('cancel')} destroyOnHidden>
      <Form form={form} layout="vertical" requiredMark={false} initialValues={action === 'whistle' ? { department: 'fire_brigade' } : {}}>
        {action === 'dispatch' ? (
          <Form.Item name="assigneeId" label={t('wardenFor')} rules={[{ required: true }]}>
            <WardenSelect gridId={incident.gridId} data-testid="assignee" />
          </Form.Item>
        ) : (
          <Form.Item name="department" label={t('department')} rules={[{ required: true }]}>
            <Select data-testid="department" options={DEPARTMENTS.map((d) => ({ value: d, label: pick(DEPARTMENT_LABELS[d], lang) }))} />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('note')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
