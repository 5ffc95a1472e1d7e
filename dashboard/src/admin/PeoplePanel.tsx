import { useEffect, useState } from 'react';
import { App, Button, Card, DatePicker, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useI18n } from '../i18n.ts';
import type { User } from '@gridhub/core';
import { api } from '../api.ts';
import { useSite } from '../common/site.ts';
import { adminCall, problemsOf, siteOps, type SiteGrid } from './api.ts';
import { ChangesTable } from './SitePanel.tsx';
import { useAdminT } from './i18n.ts';

const ROLES = ['admin', 'operator', 'grid_leader', 'warden', 'department', 'community_officer', 'street_officer'];
const DEPTS = ['fire_brigade', 'municipal_works', 'sanitation', 'elevator_maintenance'];
const fail = (title: string, err: unknown) => Modal.error({ title, content: <ChangesTable changes={null} problems={problemsOf(err)} />, width: 600 });

/** People (人员): users and roles, disable, reset password, grid served; add a warden (site entry and login in one). */
export function PeoplePanel({ grids, reload }: { grids: SiteGrid[]; reload(): void }) {
  const t = useAdminT();
  const { message } = App.useApp();
  const [users, setUsers] = useState<(User & { disabled?: boolean })[]>([]);
  const [adding, setAdding] = useState<'user' | 'warden' | null>(null);
  const [form] = Form.useForm();
  const load = () => api<User[]>('/api/users').then(setUsers, () => undefined);
  useEffect(() => void load(), []);
  const phones = new Map(grids.flatMap((g) => g.wardens.map((w) => [w.id, w.phone] as const)));
  const site = useSite(); // communities and the street office, for officers (社区干部, 街道干部)

  const save = async (v: Record<string, string>) => {
    try {
      if (adding === 'warden') {
        await siteOps([{ op: 'add', level: 'warden', parent: v.gridId!, node: { id: v.username, name: v.name, phone: v.phone, role: v.wardenRole ?? 'full_time' } }]);
        await adminCall('/api/users', { method: 'POST', contentType: 'application/json', text: JSON.stringify({ id: v.username, username: v.username, name: v.name, role: v.wardenRole === 'grid_leader' ? 'grid_leader' : 'warden', gridId: v.gridId, password: v.password }) });
      } else {
        await adminCall('/api/users', { method: 'POST', contentType: 'application/json', text: JSON.stringify({ username: v.username, name: v.name, role: v.role, ...(v.gridId ? { gridId: v.gridId } : {}), ...(v.department ? { department: v.department } : {}), ...(v.communityId ? { communityId: v.communityId } : {}), ...(v.streetId ? { streetId: v.streetId } : {}), password: v.password }) });
      }
      message.success(`${t('add')} ${v.username}`);
      setAdding(null);
      form.resetFields();
      reload();
      void load();
    } catch (err) {
      fail(t('problems'), err);
    }
  };
  const resetPassword = (u: User) => {
    let pw = '';
    Modal.confirm({
      title: `${t('resetPassword')} · ${u.username}`,
      content: <Input.Password onChange={(e) => (pw = e.target.value)} />,
      onOk: () => adminCall(`/api/admin/users/${encodeURIComponent(u.id)}/password`, { method: 'PUT', contentType: 'application/json', text: JSON.stringify({ password: pw }) }).then(() => message.success(t('ok')), (err) => fail(t('problems'), err)),
    });
  };

  return (
    <Card size="small" title={t('users')} extra={<Space><Button data-testid="add-user" onClick={() => setAdding('user')}>{t('addUser')}</Button><Button type="primary" data-testid="add-warden" onClick={() => setAdding('warden')}>{t('addWarden')}</Button></Space>}>
      <Table<User & { disabled?: boolean }>
        data-testid="users-table"
        size="small"
        rowKey="id"
        pagination={{ pageSize: 15 }}
        dataSource={users}
        columns={[
          { title: t('id'), dataIndex: 'username' },
          { title: t('name'), dataIndex: 'name' },
          { title: t('role'), dataIndex: 'role', render: (r: string) => <Tag>{r}</Tag> },
          {
            title: t('gridsServed'),
            // a warden's or grid leader's grid is changed here (PUT /api/users/:id/grid): their next request and sockets follow
            render: (_, u) =>
              u.role === 'warden' || u.role === 'grid_leader' ? (
                <Select size="small" style={{ minWidth: 140 }} data-testid={`user-grid-${u.username}`} value={u.gridId ?? undefined} options={grids.map((g) => ({ value: g.id, label: g.name }))}
                  onChange={(gridId: string) => adminCall(`/api/users/${encodeURIComponent(u.id)}/grid`, { method: 'PUT', contentType: 'application/json', text: JSON.stringify({ gridId }) }).then(() => (message.success(t('ok')), void load()), (err) => fail(t('problems'), err))} />
              ) : (u.communityId ?? u.streetId ?? u.department ?? '—'),
          },
          { title: t('phone'), render: (_, u) => phones.get(u.id) ?? '—' },
          {
            title: '',
            render: (_, u) => (
              <Space size="small">
                <Popconfirm title={`${t('disable')} ${u.username}?`} onConfirm={() => adminCall(`/api/users/${encodeURIComponent(u.id)}/disabled`, { method: 'PUT', contentType: 'application/json', text: JSON.stringify({ disabled: true }) }).then(() => message.success(t('ok')), (err) => fail(t('problems'), err))}>
                  <Button size="small">{t('disable')}</Button>
                </Popconfirm>
                <Button size="small" onClick={() => resetPassword(u)}>{t('resetPassword')}</Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal open={adding !== null} title={adding === 'warden' ? t('addWarden') : t('addUser')} onCancel={() => setAdding(null)} onOk={() => form.submit()} okText={t('save')} cancelText={t('cancel')} okButtonProps={{ 'data-testid': 'user-save' } as never} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => void save(v as Record<string, string>)}>
          <Form.Item name="username" label={t('id')} rules={[{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/ }]}><Input data-testid="user-username" /></Form.Item>
          <Form.Item name="name" label={t('name')} rules={[{ required: true }]}><Input data-testid="user-name" /></Form.Item>
          {adding === 'user' && <Form.Item name="role" label={t('role')} rules={[{ required: true }]}><Select options={ROLES.map((r) => ({ value: r, label: r }))} /></Form.Item>}
          {adding === 'user' && <Form.Item name="department" label="department"><Select allowClear options={DEPTS.map((d) => ({ value: d, label: d }))} /></Form.Item>}
          {adding === 'user' && <Form.Item name="communityId" label={t('community')}><Select allowClear data-testid="user-community" options={(site?.communities ?? []).map((c) => ({ value: c.id, label: c.name }))} /></Form.Item>}
          {adding === 'user' && <Form.Item name="streetId" label={t('street')}><Select allowClear data-testid="user-street" options={site?.street ? [{ value: site.street.id, label: site.street.name }] : []} /></Form.Item>}
          <Form.Item name="gridId" label={t('gridsServed')} rules={adding === 'warden' ? [{ required: true }] : []}><Select allowClear data-testid="user-grid" options={grids.map((g) => ({ value: g.id, label: g.name }))} /></Form.Item>
          {adding === 'warden' && <Form.Item name="phone" label={t('phone')} rules={[{ required: true }]}><Input data-testid="user-phone" /></Form.Item>}
          {adding === 'warden' && <Form.Item name="wardenRole" label={t('role')} initialValue="full_time"><Select options={['grid_leader', 'full_time', 'part_time'].map((r) => ({ value: r, label: r }))} /></Form.Item>}
          <Form.Item name="password" label={t('password')} rules={[{ required: true, min: 8 }]}><Input.Password data-testid="user-password" /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

interface Shift { gridId: string; wardenId: string; fromMs: number; toMs: number }
const DAY = 86_400_000;

/** Duty (值班): a week calendar per grid, who is on duty now, add, remove and swap shifts. */
export function DutyPanel({ grids }: { grids: SiteGrid[] }) {
  const t = useAdminT();
  const { lang } = useI18n();
  const [gridId, setGridId] = useState<string | undefined>(grids[0]?.id);
  const [shifts, setShifts] = useState<Shift[]>([]);
  const [duty, setDuty] = useState<{ assigneeId: string | null; via: string } | null>(null);
  const [form] = Form.useForm();
  const grid = grids.find((g) => g.id === gridId);
  const weekStart = dayjs().startOf('day').subtract((dayjs().day() + 6) % 7, 'day');
  const load = () => {
    if (!gridId) return;
    void api<Shift[]>(`/api/rosters?grid=${gridId}&from=${weekStart.valueOf()}&to=${weekStart.valueOf() + 7 * DAY}`).then(setShifts, () => setShifts([]));
    void api<{ assigneeId: string | null; via: string }>(`/api/rosters/${gridId}/duty`).then(setDuty, () => setDuty(null));
  };
  useEffect(load, [gridId]);
  const name = (id: string | null) => grid?.wardens.find((w) => w.id === id)?.name ?? id ?? '—';
  const add = async (v: { wardenId: string; range: [Dayjs, Dayjs] }) => {
    try {
      await adminCall('/api/rosters', { method: 'POST', contentType: 'application/json', text: JSON.stringify({ shifts: [{ gridId, wardenId: v.wardenId, fromMs: v.range[0].valueOf(), toMs: v.range[1].valueOf() }] }) });
      load();
    } catch (err) {
      fail(t('problems'), err);
    }
  };
  const remove = (s: Shift) => adminCall(`/api/rosters/${s.gridId}/${s.wardenId}/${s.fromMs}`, { method: 'DELETE' });
  const swap = async (s: Shift, to: string) => {
    try {
      await adminCall('/api/rosters', { method: 'POST', contentType: 'application/json', text: JSON.stringify({ shifts: [{ ...s, wardenId: to }] }) });
      await remove(s);
      load();
    } catch (err) {
      fail(t('problems'), err);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select data-testid="duty-grid" style={{ width: 220 }} value={gridId} onChange={setGridId} options={grids.map((g) => ({ value: g.id, label: g.name }))} />
        <Typography.Text data-testid="on-duty-now">
          {t('onDutyNow')}: <b>{name(duty?.assigneeId ?? null)}</b> {duty ? `(${duty.via})` : ''}
        </Typography.Text>
      </Space>
      <Form form={form} layout="inline" onFinish={(v) => void add(v as { wardenId: string; range: [Dayjs, Dayjs] })} initialValues={{ range: [dayjs().startOf('hour'), dayjs().startOf('hour').add(8, 'hour')] }}>
        <Form.Item name="wardenId" rules={[{ required: true }]}><Select data-testid="shift-warden" style={{ width: 200 }} placeholder={t('warden')} options={(grid?.wardens ?? []).map((w) => ({ value: w.id, label: `${w.name} ${w.phone}` }))} /></Form.Item>
        <Form.Item name="range" rules={[{ required: true }]}><DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="MM-DD HH:mm" /></Form.Item>
        <Button htmlType="submit" type="primary" data-testid="shift-add">{t('addShift')}</Button>
      </Form>
      <div data-testid="week-calendar" style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 6 }}>
        {Array.from({ length: 7 }, (_, i) => {
          const from = weekStart.valueOf() + i * DAY;
          const day = shifts.filter((s) => s.fromMs < from + DAY && s.toMs > from);
          return (
            <Card key={i} size="small" title={weekStart.add(i, 'day').locale(lang === 'zh' ? 'zh-cn' : 'en').format('ddd MM-DD')} styles={{ body: { padding: 6, minHeight: 120 } }}>
              {day.map((s) => (
                <div key={`${s.wardenId}-${s.fromMs}`} style={{ background: '#e6f4ff', borderRadius: 4, padding: 4, marginBottom: 4, fontSize: 12 }}>
                  <b>{name(s.wardenId)}</b> {dayjs(s.fromMs).format('HH:mm')}–{dayjs(s.toMs).format('HH:mm')}
                  <Select size="small" placeholder={t('swap')} style={{ width: '100%', marginTop: 2 }} options={(grid?.wardens ?? []).filter((w) => w.id !== s.wardenId).map((w) => ({ value: w.id, label: w.name }))} onChange={(to: string) => void swap(s, to)} />
                  <a onClick={() => void remove(s).then(load)}>{t('removeShift')}</a>
                </div>
              ))}
            </Card>
          );
        })}
      </div>
    </Space>
  );
}
