/** The four sensor kinds the hub understands (设备类型). */
export const DEVICE_KINDS = ['smoke', 'bin', 'manhole', 'ebike'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** What a device publishes: periodic readings, discrete events, and its birth / last-will status. */
export const MESSAGE_KINDS = ['telemetry', 'event', 'status'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const DEVICE_KIND_LABELS: Record<DeviceKind, { zh: string; en: string }> = {
  smoke: { zh: '烟感报警器', en: 'Smoke alarm' },
  bin: { zh: '垃圾满溢监测', en: 'Bin fill-level sensor' },
  manhole: { zh: '智能井盖', en: 'Smart manhole cover' },
  ebike: { zh: '电动车进电梯预警', en: 'E-bike-in-elevator camera' },
};

export function isDeviceKind(value: string): value is DeviceKind {
  return (DEVICE_KINDS as readonly string[]).includes(value);
}

export function isMessageKind(value: string): value is MessageKind {
  return (MESSAGE_KINDS as readonly string[]).includes(value);
}
