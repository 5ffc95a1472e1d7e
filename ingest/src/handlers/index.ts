import type { MessageKind } from '@gridhub/core';
import type { MessageHandler } from './context.ts';
import { handleEvent } from './event.ts';
import { handleStatus } from './status.ts';
import { handleTelemetry } from './telemetry.ts';

export type { HandlerInput, HandlerOutput, MessageHandler } from './context.ts';
export { binFillPct } from './telemetry.ts';

/** One handler per message kind (the aedes lib/handlers model); this file only dispatches. */
export const HANDLERS: Readonly<Record<MessageKind, MessageHandler>> = {
  telemetry: handleTelemetry,
  event: handleEvent,
  status: handleStatus,
};
