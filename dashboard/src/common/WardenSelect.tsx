import { useEffect, useState } from 'react';
import { Select, Space, Tag } from 'antd';
import type { WardenRole } from '@gridhub/core';
import { api } from '../api.ts';
import { useI18n, type MessageKey } from '../i18n.ts';
import { gridsOf, peopleIndex, useSite } from './site.ts';

/** Who is on duty in a grid now (GET /api/rosters/:grid/duty), or null while unknown. */
export function useOnDuty(gridId: string): string | null {
  const [id, setId] = useState<string | null>(null);
  useEffect(() => {
    let on = true;
    api<{ assigneeId: string | null }>(`/api/rosters/${encodeURIComponent(gridId)}/duty`).then((r) => on && setId(r.assigneeId), () => {});
    return () => {
      on = false;
    };
  }, [gridId]);
  return id;
}

/**
 * A warden picker: each warden of the grid by name (with the grid where names repeat), role and
 * grid, the one on duty first with a badge.
 */
export function WardenSelect({ gridId, value, onChange, ...rest }: { gridId: string; value?: string; onChange?(v: string): void; 'data-testid'?: string }) {
  const { t } = useI18n();
  const site = useSite();
  const people = peopleIndex(site);
  const onDuty = useOnDuty(gridId);
  const wardens = (gridsOf(site).find((g) => g.id === gridId)?.wardens ?? []).map((w) => people.get(w.id)!).filter(Boolean);
  wardens.sort((a, b) => Number(b.id === onDuty) - Number(a.id === onDuty) || Number(b.role === 'grid_leader') - Number(a.role === 'grid_leader'));
  return (
    <Select
      {...rest}
      value={value}
      onChange={onChange}
      showSearch
      optionFilterProp="title"
      options={wardens.map((w) => ({
        value: w.id,
        title: `${w.label} ${w.phone}`,
        label: (
          <Space size={4}>
            <span>{w.label}</span>
            <Tag style={{ marginInlineEnd: 0 }}>{t(`wardenRole.${w.role as WardenRole}` as MessageKey)}</Tag>
            <span style={{ color: '#8c8c8c' }}>{w.gridName}</span>
            {w.id === onDuty && <Tag color="green" data-testid="on-duty">{t('onDuty')}</Tag>}
          </Space>
        ),
      }))}
    />
  );
}
