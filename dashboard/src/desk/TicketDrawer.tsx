import { useEffect, useState } from 'react';
import { Alert, Descriptions, Drawer, Image, Space, Tag, Timeline, Typography } from 'antd';
import type { User } from '@gridhub/core';
import { DEPARTMENT_LABELS, DEVICE_KIND_LABELS, TICKET_ACTION_LABELS, TICKET_STATUS_LABELS } from '../core.ts';
import { ActionButtons } from '../common/ActionForm.tsx';
import { SlaCountdown } from '../common/SlaCountdown.tsx';
import { allowedActions, ticketDetail, type TicketDetail } from '../common/tickets.ts';
import { actorName, pick, ruleTitle, tryKey, useI18n, type MessageKey } from '../i18n.ts';
import { useLive } from '../live/LiveProvider.tsx';
import { PRIORITY_COLOR } from './AlarmList.tsx';
import { usePeople, usePlaceText } from '../common/site.ts';
import { isHubPhoto } from '../common/photo.ts';
import { TicketPages } from './Pages.tsx';

/** A ticket's detail: place, state, SLA, the whole history, and the actions the user's role allows. */
export function TicketDrawer({ id, user, onClose }: { id: string | null; user: User; onClose(): void }) {
  const { t, lang } = useI18n();
  const placeText = usePlaceText();
  const { nameOf } = usePeople();
  const live = useLive();
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const liveTicket = id ? live.tickets.get(id) : undefined;
  const version = liveTicket?.version ?? 0;

  useEffect(() => {
    if (!id) return setDetail(null);
    let on = true;
    ticketDetail(id).then(
      (d) => on && (setDetail(d), setError(null)),
      (err: unknown) => on && setError(String(err)),
    );
    return () => {
      on = false;
    };
  }, [id, version]);

  const ticket = liveTicket ?? (detail ? { ...detail.ticket, deadlines: {} } : null);
  // What a step did, in words: to whom it went, which department, how the duty choice was made.
  const historyDetail = (h: { action: string; data: Record<string, unknown> | null }) => {
    const d = h.data ?? {};
    const bits: string[] = [];
    if (typeof d.assigneeId === 'string') bits.push(`→ ${nameOf(d.assigneeId)}`);
    if (typeof d.via === 'string') bits.push(tryKey(t, `via.${d.via}`));
    if (typeof d.department === 'string') bits.push(`→ ${pick(DEPARTMENT_LABELS[d.department as keyof typeof DEPARTMENT_LABELS], lang, d.department)}`);
    if (typeof d.to === 'string') bits.push(t('escalatedTo', { who: escalationName(d.to, Array.isArray(d.people) ? d.people.map(String) : []) }));
    if (typeof d.phase === 'string') bits.push(tryKey(t, `phase.${d.phase}`));
    return bits.length ? <div>{bits.join(' · ')}</div> : null;
  };
  // `warden:<id>`, `community:<id>`, `street:<id>`, `user:<id>`: the person or office an escalation went to,
  // and the officers it landed on ("社区 澜溪社区：陈建国、刘芳"); an office with nobody in it says so.
  const escalationName = (to: string, people: string[]) => {
    const [kind, id = ''] = to.split(':');
    if (kind === 'warden' || kind === 'user') return nameOf(id);
    const level = kind === 'community' ? 'level.community' : kind === 'street' ? 'level.street' : null;
    if (!level) return to;
    const who = people.length ? people.map(nameOf).join(lang === 'zh' ? '、' : ', ') : t('escalatedNobody');
    return `${t(level as MessageKey)} ${placeText(id)}${lang === 'zh' ? '：' : ': '}${who}`;
  };
  const label = (action: string) => (action in TICKET_ACTION_LABELS ? pick(TICKET_ACTION_LABELS[action as keyof typeof TICKET_ACTION_LABELS], lang) : tryKey(t, `action.${action}`));
  return (
    <Drawer open={!!id} onClose={onClose} width={520} title={ticket ? ruleTitle(t, ticket.ruleId, ticket.title) : t('ticket')} destroyOnHidden>
      {error && <Alert type="error" message={error} />}
      {ticket && (
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('priority')}>
              <Tag color={PRIORITY_COLOR[ticket.priority]}>{ticket.priority}</Tag> <SlaCountdown ticket={ticket} />
            </Descriptions.Item>
            <Descriptions.Item label={t('state')}>
              <span data-testid="ticket-status">{pick(TICKET_STATUS_LABELS[ticket.status], lang)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('kind')}>
              {pick(DEVICE_KIND_LABELS[ticket.deviceKind], lang)} · {ticket.deviceId}
            </Descriptions.Item>
            <Descriptions.Item label={t('place')}>
              {placeText(ticket.place.grid, ticket.place.estate, ticket.place.building, ticket.place.unit)}
            </Descriptions.Item>
            <Descriptions.Item label={t('assignee')}>
              <span data-testid="ticket-assignee">{nameOf(ticket.assigneeId)}</span>
              {ticket.assigneeId && (
                <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                  {t('account')} {ticket.assigneeId}
                </Typography.Text>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('acknowledged')}>
              {ticket.acknowledgedMs !== null ? (
                t('ackBy', { who: actorName(t, lang, ticket.acknowledgedBy ?? '', nameOf), at: new Date(ticket.acknowledgedMs).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }) })
              ) : (
                <Tag color="red">{t('notAcknowledged')}</Tag>
              )}
            </Descriptions.Item>
            {ticket.department && <Descriptions.Item label={t('department')}>{pick(DEPARTMENT_LABELS[ticket.department], lang)}</Descriptions.Item>}
            <Descriptions.Item label={t('occurrences')}>{ticket.occurrences}</Descriptions.Item>
          </Descriptions>
          <ActionButtons ticket={ticket} actions={allowedActions(ticket, user.role)} />
          {detail?.incident && (
            <Alert
              type="error"
              showIcon
              data-testid="ticket-incident"
              message={`${t('incidentTitle')} · ${placeText(detail.incident.estateId, detail.incident.buildingId)}`}
              description={t('ticketsInIncident', { n: detail.incident.ticketIds.length })}
            />
          )}
          <Typography.Title level={5}>{t('history')}</Typography.Title>
          <Timeline
            items={(detail?.history ?? []).map((h) => ({
              color: h.action === 'overdue' || h.action === 'escalate' ? 'red' : h.to === 'closed' ? 'green' : 'blue',
              children: (
                <div>
                  <Typography.Text strong>{label(h.action)}</Typography.Text>{' '}
                  <Typography.Text type="secondary">
                    {new Date(h.atMs).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')} · {actorName(t, lang, h.by, nameOf)}
                  </Typography.Text>
                  {historyDetail(h)}
                  {h.note && <div>{h.note}</div>}
                  {Array.isArray(h.data?.photos) && (
                    <Space wrap>
                      {(h.data.photos as string[]).map((p, i) =>
                        // Only photos the hub keeps are loaded; an older outside URL is shown as text, never fetched.
                        isHubPhoto(p) ? <Image key={i} src={p} width={64} height={64} style={{ objectFit: 'cover' }} data-testid="ticket-photo" /> : <Typography.Text key={i} code>{p.slice(0, 80)}</Typography.Text>,
                      )}
                    </Space>
                  )}
                </div>
              ),
            }))}
          />
          {id && <TicketPages ticketId={id} version={version} />}
        </Space>
      )}
    </Drawer>
  );
}
