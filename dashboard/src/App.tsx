import { lazy, Suspense, useMemo, useState, type ReactNode } from 'react';
import { App as AntApp, ConfigProvider, Spin, theme } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { I18nContext, translator, type Lang } from './i18n.ts';
import { LiveProvider } from './live/LiveProvider.tsx';
import { SessionGate } from './session.tsx';
import { FONT_FAMILY } from './theme.ts';

// One chunk per screen: the phone never loads the desk's charts, and the other way round.
const Desk = lazy(() => import('./desk/Desk.tsx'));
const Wall = lazy(() => import('./wall/Wall.tsx'));
const Phone = lazy(() => import('./phone/Phone.tsx'));
const Models = lazy(() => import('./models/Models.tsx'));
const Admin = lazy(() => import('./admin/Admin.tsx'));

type Screen = 'desk' | 'wall' | 'phone' | 'models' | 'admin';
function screenOf(pathname: string): Screen {
  if (pathname === '/wall' || pathname.startsWith('/wall/')) return 'wall';
  if (pathname === '/m' || pathname.startsWith('/m/')) return 'phone';
  if (pathname === '/models') return 'models';
  if (pathname === '/admin' || pathname.startsWith('/admin/')) return 'admin';
  return 'desk';
}

const LANG_KEY = 'gridhub.lang';

export function App() {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh'));
  const i18n = useMemo(
    () => ({
      lang,
      t: translator(lang),
      setLang(l: Lang) {
        localStorage.setItem(LANG_KEY, l);
        document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
        setLangState(l);
      },
    }),
    [lang],
  );
  const screen = screenOf(location.pathname);
  const dark = screen === 'wall';
  const body = (children: ReactNode) => <Suspense fallback={<Spin style={{ display: 'block', margin: '30vh auto' }} />}>{children}</Suspense>;

  return (
    <I18nContext.Provider value={i18n}>
      <ConfigProvider
        locale={lang === 'zh' ? zhCN : enUS}
        theme={{
          algorithm: dark ? theme.darkAlgorithm : theme.defaultAlgorithm,
          token: { fontFamily: FONT_FAMILY, colorPrimary: dark ? '#4fc3f7' : '#0958d9', fontSize: screen === 'phone' ? 16 : 14, borderRadius: 6 },
        }}
      >
        <AntApp>
          <SessionGate dark={dark}>
            {(user, logout) => (
              <LiveProvider>
                {body(screen === 'wall' ? <Wall /> : screen === 'phone' ? <Phone user={user} logout={logout} /> : screen === 'models' ? <Models user={user} logout={logout} /> : screen === 'admin' ? <Admin user={user} logout={logout} /> : <Desk user={user} logout={logout} />)}
              </LiveProvider>
            )}
          </SessionGate>
        </AntApp>
      </ConfigProvider>
    </I18nContext.Provider>
  );
}
