import { Button, Space, Tag, Typography } from 'antd';
import type { User } from '@gridhub/core';
import { USER_ROLE_LABELS } from '../core.ts';
import { pick, useI18n } from '../i18n.ts';
import { useLiveSelect } from '../live/LiveProvider.tsx';

/** Title, live status, language switch, who is signed in, logout. */
export function Header({ user, logout, title, compact }: { user: User; logout(): void; title: string; compact?: boolean }) {
  const { t, lang, setLang } = useI18n();
  // One boolean, so a device delta does not re-render the header.
  const on = useLiveSelect((s) => s.connected && s.ready);
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap', justifyContent: 'space-between', width: '100%' }}>
      <Typography.Title level={compact ? 5 : 4} style={{ margin: 0, color: 'inherit' }}>
        {title}
      </Typography.Title>
      <Space wrap size="small">
        <span role="status" style={{ color: on ? '#95de64' : '#ff7875', fontWeight: 600 }}>
          ● {on ? t('live') : t('offline')}
        </span>
        {!compact && (
          <Tag>
            {user.name} · {pick(USER_ROLE_LABELS[user.role], lang)}
          </Tag>
        )}
        {(user.role === 'admin' || user.role === 'operator' || user.role === 'grid_leader') && !location.pathname.startsWith('/admin') && (
          <Button size="small" href="/admin" data-testid="nav-admin">
            {lang === 'zh' ? '系统管理' : 'Admin'}
          </Button>
        )}
        {user.role === 'admin' && !compact && (
          <Button size="small" href="/models">
            {t('models')}
          </Button>
        )}
        <Button size="small" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} aria-label="language">
          {t('language')}
        </Button>
        <Button size="small" onClick={logout}>
          {t('logout')}
        </Button>
      </Space>
    </div>
  );
}
