import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import type { User } from '@gridhub/core';
import { api, ApiError, post, setSessionToken } from './api.ts';
import { useI18n } from './i18n.ts';

/** Login gate: asks `/api/auth/me`; without a session shows the login form. */
export function SessionGate({ children, dark }: { children: (user: User, logout: () => void) => ReactNode; dark?: boolean }) {
  const { t } = useI18n();
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // `/api/auth/me` answers { user, gridIds, department } (issue 9's branch has the same fix).
    api<{ user: User }>('/api/auth/me').then((me) => setUser(me.user), () => setUser(null));
  }, []);

  const login = useCallback(
    async (v: { username: string; password: string }) => {
      setError(null);
      try {
        const res = await post<{ token?: string; user: User }>('/api/auth/login', v);
        setSessionToken(res.token ?? null);
        setUser(res.user ?? (await api<{ user: User }>('/api/auth/me')).user);
      } catch (err) {
        setError(t('loginFailed', { msg: err instanceof ApiError ? err.message : String(err) }));
      }
    },
    [t],
  );
  const logout = useCallback(() => {
    void post('/api/auth/logout').catch(() => {});
    setSessionToken(null);
    setUser(null);
  }, []);

  if (user === undefined) return <div style={{ padding: 24 }}>{t('loading')}</div>;
  if (user) return <>{children(user, logout)}</>;
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', padding: 16, background: dark ? '#0b1a2e' : '#f0f2f5' }}>
      <Card style={{ width: 'min(360px, 100%)' }}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Title level={3} style={{ marginTop: 0 }}>
            {t('app')}
          </Typography.Title>
          {error && <Alert type="error" message={error} showIcon />}
          <Form layout="vertical" onFinish={login} requiredMark={false}>
            <Form.Item name="username" label={t('username')} rules={[{ required: true }]}>
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item name="password" label={t('password')} rules={[{ required: true }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block>
              {t('login')}
            </Button>
          </Form>
        </Space>
      </Card>
    </div>
  );
}
