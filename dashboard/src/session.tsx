import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import type { User } from '@gridhub/core';
import { api, ApiError, post, SESSION_ENDED } from './api.ts';
import { useI18n } from './i18n.ts';

/** What `/api/auth/me` answers: the user is `user`, beside their scope. */
interface Me {
  user: User;
  gridIds: string[] | null;
  department: string | null;
  expiresMs: number;
}

/**
 * Login gate. The session is the HttpOnly cookie the hub set (it outlives a reload, a browser or
 * PWA restart and a hub restart, until it expires): on start it asks `/api/auth/me` and keeps
 * its `user`; without a session it shows the login form. When the session ends (a 401 anywhere,
 * the socket closed by the hub, its expiry time reached) it returns here with a message.
 */
export function SessionGate({ children, dark }: { children: (user: User, logout: () => void) => ReactNode; dark?: boolean }) {
  const { t } = useI18n();
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [expiresMs, setExpiresMs] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Me>('/api/auth/me').then(
      (me) => {
        setUser(me.user);
        setExpiresMs(me.expiresMs);
      },
      () => setUser(null),
    );
  }, []);

  useEffect(() => {
    const ended = () => {
      setUser((u) => {
        if (u) setError(t('sessionEnded'));
        return null;
      });
    };
    window.addEventListener(SESSION_ENDED, ended);
    return () => window.removeEventListener(SESSION_ENDED, ended);
  }, [t]);

  useEffect(() => {
    if (!user || !expiresMs) return;
    const timer = setTimeout(() => window.dispatchEvent(new Event(SESSION_ENDED)), Math.min(2 ** 31 - 1, Math.max(0, expiresMs - Date.now())));
    return () => clearTimeout(timer);
  }, [user, expiresMs]);

  const login = useCallback(
    async (v: { username: string; password: string }) => {
      setError(null);
      try {
        const res = await post<{ expiresMs: number; user: User }>('/api/auth/login', v);
        setExpiresMs(res.expiresMs);
        setUser(res.user);
      } catch (err) {
        setError(t('loginFailed', { msg: err instanceof ApiError ? err.message : String(err) }));
      }
    },
    [t],
  );
  const logout = useCallback(() => {
    void post('/api/auth/logout').catch(() => {});
    setError(null);
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
          {error && <Alert type="error" message={error} showIcon data-testid="login-error" />}
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
