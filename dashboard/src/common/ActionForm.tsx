import { useState } from 'react';
import { App, Button, Form, Input, Modal, Select, Space } from 'antd';
import type { LiveTicket, PersonAction, Ticket } from '@gridhub/core';
import { ApiError } from '../api.ts';
import { DEPARTMENTS, DEPARTMENT_LABELS, TICKET_ACTION_LABELS } from '../core.ts';
import { pick, useI18n } from '../i18n.ts';
import { useLiveStore } from '../live/LiveProvider.tsx';
import { uploadPhotos } from './photo.ts';
import { gridsOf, useSite } from './site.ts';
import { WardenSelect } from './WardenSelect.tsx';
import { act, type ActionInput } from './tickets.ts';

/** Actions that need a form (the rest are one click). */
const NEEDS_FORM = new Set<PersonAction>(['dispatch', 'resolve', 'return', 'transfer', 'whistle', 'reopen']);

/**
 * The buttons of the actions a user may take on a ticket; each opens a small form when it
 * needs input (assignee, note, reason, department, photos) and posts to the tickets API.
 */
export function ActionButtons({ ticket, actions, size, block, onDone }: { ticket: LiveTicket | Ticket; actions: PersonAction[]; size?: 'large' | 'middle'; block?: boolean; onDone?(t: Ticket): void }) {
  const { lang } = useI18n();
  const [open, setOpen] = useState<PersonAction | null>(null);
  const run = useRun(ticket.id, ticket.status, onDone);
  return (
    <>
      <Space wrap direction={block ? 'vertical' : 'horizontal'} style={block ? { width: '100%' } : undefined}>
        {actions.map((a, i) => (
          <Button
            key={a}
            size={size}
            block={block}
            type={i === 0 ? 'primary' : 'default'}
            data-action={a}
            onClick={() => (NEEDS_FORM.has(a) ? setOpen(a) : void run(a, {}))}
          >
            {pick(TICKET_ACTION_LABELS[a], lang)}
          </Button>
        ))}
      </Space>
      {open && <ActionModal ticket={ticket} action={open} onClose={() => setOpen(null)} run={run} />}
    </>
  );
}

function useRun(id: string, status: Ticket['status'], onDone?: (t: Ticket) => void) {
  const { message } = App.useApp();
  const store = useLiveStore();
  return async (action: PersonAction, input: ActionInput): Promise<boolean> => {
    try {
      const t = await act(id, action, input, status);
      store.upsertTicket(t as LiveTicket);
      onDone?.(t);
      return true;
    } catch (err) {
      message.error(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
      return false;
    }
  };
}

function ActionModal({ ticket, action, onClose, run }: { ticket: LiveTicket | Ticket; action: PersonAction; onClose(): void; run(a: PersonAction, i: ActionInput): Promise<boolean> }) {
  const { t, lang } = useI18n();
  const site = useSite();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const { message } = App.useApp();
  const [photos, setPhotos] = useState<string[]>([]);
  const grids = gridsOf(site);
  const gridId: string = Form.useWatch('gridId', form) ?? ticket.gridId;

  const submit = async () => {
    const v = (await form.validateFields()) as ActionInput;
    setBusy(true);
    const ok = await run(action, { ...v, ...(action === 'resolve' && photos.length ? { photos } : {}) });
    setBusy(false);
    if (ok) onClose();
  };

  return (
    <Modal open title={pick(TICKET_ACTION_LABELS[action], lang)} onCancel={onClose} onOk={submit} confirmLoading={busy} okText={t('submit')} cancelText={t('cancel')} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ gridId: ticket.gridId }} requiredMark={false}>
        {action === 'transfer' && (
          <Form.Item name="gridId" label={t('grid')} rules={[{ required: true }]}>
            <Select options={grids.map((g) => ({ value: g.id, label: g.name }))} />
          </Form.Item>
        )}
        {(action === 'dispatch' || action === 'transfer') && (
          <Form.Item name="assigneeId" label={t('wardenFor')} rules={[{ required: true }]}>
            <WardenSelect gridId={gridId} data-testid="assignee" />
          </Form.Item>
        )}
        {action === 'whistle' && (
          <Form.Item name="department" label={t('department')} rules={[{ required: true }]}>
            <Select options={DEPARTMENTS.map((d) => ({ value: d, label: pick(DEPARTMENT_LABELS[d], lang) }))} />
          </Form.Item>
        )}
        {(action === 'return' || action === 'reopen') && (
          <Form.Item name="reason" label={t('reason')} rules={[{ required: true, whitespace: true, message: t('reasonRequired') }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
        {action !== 'return' && action !== 'reopen' && (
          <Form.Item name="note" label={t('note')} rules={action === 'resolve' ? [{ required: true, whitespace: true, message: t('noteRequired') }] : []}>
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
        {action === 'resolve' && (
          <Form.Item label={t('photo')}>
            <input
              type="file"
              accept="image/*"
              capture="environment"
              aria-label={t('takePhoto')}
              data-testid="photo-input"
              onChange={async (e) => {
                const files = [...(e.target.files ?? [])].slice(0, 6);
                if (!files.length) return;
                setBusy(true);
                try {
                  setPhotos([...photos, ...(await uploadPhotos(ticket.id, files))].slice(0, 6));
                } catch (err) {
                  message.error(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
                } finally {
                  setBusy(false);
                }
              }}
            />
            <Space wrap style={{ marginTop: 8 }}>
              {photos.map((p, i) => (
                <img key={i} src={p} alt="" data-testid="photo-preview" style={{ width: 64, height: 64, objectFit: 'cover', borderRadius: 4 }} />
              ))}
            </Space>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
