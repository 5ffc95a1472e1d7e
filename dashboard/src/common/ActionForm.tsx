import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Image, Input, Modal, Select, Space, Typography } from 'antd';
import type { LiveTicket, PersonAction, Ticket } from '@gridhub/core';
import { ApiError } from '../api.ts';
import { DEPARTMENTS, DEPARTMENT_LABELS, TICKET_ACTION_LABELS } from '../core.ts';
import { pick, useI18n } from '../i18n.ts';
import { useLiveStore } from '../live/LiveProvider.tsx';
import { isHubPhoto, uploadPhotos } from './photo.ts';
import { gridsOf, usePeople, useSite } from './site.ts';
import { WardenSelect } from './WardenSelect.tsx';
import { act, ticketDetail, type ActionInput } from './tickets.ts';

/** Actions that need a form (the rest are one click). */
const NEEDS_FORM = new Set<PersonAction>(['dispatch', 'resolve', 'close', 'return', 'transfer', 'whistle', 'reopen']);
/** Actions whose note is required (the hub refuses a blank one with HUB_ERR_TICKET_NOTE_REQUIRED). */
const NOTE_REQUIRED = new Set<PersonAction>(['resolve', 'close']);
/** Verification (核查): the person deciding sees what the warden reported first. */
const VERIFIES = new Set<PersonAction>(['close', 'reopen']);

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
      {open && <ActionModal ticket={ticket} action={open} onClose={() => setOpen(null)} run={run} inline={VERIFIES.has(open)} />}
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

/** The form of one action: a modal, or (verification, 核查) a card in place, under the evidence it judges. */
function ActionModal({ ticket, action, onClose, run, inline }: { ticket: LiveTicket | Ticket; action: PersonAction; onClose(): void; run(a: PersonAction, i: ActionInput): Promise<boolean>; inline?: boolean }) {
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

  const title = pick(TICKET_ACTION_LABELS[action], lang);
  const body = (
    <>
      {VERIFIES.has(action) && <Evidence ticketId={ticket.id} />}
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
          <Form.Item name="reason" label={t(action === 'reopen' ? 'reopenReason' : 'reason')} rules={[{ required: true, whitespace: true, message: t('reasonRequired') }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
        {action !== 'return' && action !== 'reopen' && (
          <Form.Item name="note" label={t(action === 'close' ? 'verifyNote' : 'note')} rules={NOTE_REQUIRED.has(action) ? [{ required: true, whitespace: true, message: t('noteRequired') }] : []}>
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
    </>
  );
  if (inline) {
    return (
      <Card size="small" title={title} data-testid={`form-${action}`} style={{ marginTop: 12 }}>
        {body}
        <Space>
          <Button type="primary" loading={busy} onClick={submit} data-testid="form-submit">
            {t('submit')}
          </Button>
          <Button onClick={onClose}>{t('cancel')}</Button>
        </Space>
      </Card>
    );
  }
  return (
    <Modal open title={title} onCancel={onClose} onOk={submit} confirmLoading={busy} okText={t('submit')} cancelText={t('cancel')} destroyOnHidden>
      {body}
    </Modal>
  );
}

/** The latest resolution of a ticket (处置完成): the warden's note and photos, as the hub keeps them. */
function Evidence({ ticketId }: { ticketId: string }) {
  const { t, lang } = useI18n();
  const { nameOf } = usePeople();
  const [resolution, setResolution] = useState<{ note: string | null; photos: string[]; by: string; atMs: number } | null | undefined>(undefined);
  useEffect(() => {
    let on = true;
    ticketDetail(ticketId).then(
      (d) => {
        const r = d.history.filter((h) => h.action === 'resolve').at(-1);
        if (on) setResolution(r ? { note: r.note, photos: Array.isArray(r.data?.photos) ? (r.data.photos as string[]) : [], by: r.by, atMs: r.atMs } : null);
      },
      () => on && setResolution(null),
    );
    return () => {
      on = false;
    };
  }, [ticketId]);
  if (resolution === undefined) return null;
  if (resolution === null) return <Alert type="info" style={{ marginBottom: 12 }} message={t('noEvidence')} data-testid="evidence" />;
  return (
    <Alert
      type="success"
      style={{ marginBottom: 12 }}
      data-testid="evidence"
      message={`${t('evidence')} · ${nameOf(resolution.by)} · ${new Date(resolution.atMs).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}`}
      description={
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text data-testid="evidence-note">{resolution.note}</Typography.Text>
          <Space wrap>
            {resolution.photos.map((p, i) =>
              isHubPhoto(p) ? <Image key={i} src={p} width={96} height={96} style={{ objectFit: 'cover' }} data-testid="evidence-photo" /> : <Typography.Text key={i} code>{p.slice(0, 80)}</Typography.Text>,
            )}
          </Space>
        </Space>
      }
    />
  );
}
