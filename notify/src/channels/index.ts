import type { ChannelConfig } from '../config.ts';
import type { Channel } from '../types.ts';
import { dingtalkChannel } from './dingtalk.ts';
import { feishuChannel } from './feishu.ts';
import { aliyunSmsChannel } from './sms-aliyun.ts';
import { tencentSmsChannel } from './sms-tencent.ts';
import { webhookChannel } from './webhook.ts';
import { webpushChannel, type PushGone } from './webpush.ts';
import { wecomChannel } from './wecom.ts';

/** One channel from its (decrypted) configuration. */
export function createChannel(c: ChannelConfig, opts: PushGone & { timeZone?: string; clock?: () => number } = {}): Channel {
  const { timeZone, clock } = opts;
  switch (c.type) {
    case 'wecom':
      return wecomChannel(c, timeZone);
    case 'dingtalk':
      return dingtalkChannel(c, timeZone, clock);
    case 'feishu':
      return feishuChannel(c, timeZone, clock);
    case 'sms_aliyun':
      return aliyunSmsChannel(c, timeZone, clock);
    case 'sms_tencent':
      return tencentSmsChannel(c, timeZone, clock);
    case 'webpush':
      return webpushChannel(c, opts);
    case 'webhook':
      return webhookChannel(c, clock);
  }
}

export { dingtalkSign } from './dingtalk.ts';
export { feishuSign } from './feishu.ts';
export { aliyunSignature, percentEncode } from './sms-aliyun.ts';
export { tc3Authorization } from './sms-tencent.ts';
export { webhookSignature, WEBHOOK_TOLERANCE_MS } from './webhook.ts';
export { pushPayload, type PushPayload } from './webpush.ts';
