/** The type face of every screen: Noto Sans SC ships with the app (see main.tsx), then the system's. */
export const FONT_FAMILY = "'Noto Sans SC', -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif";
