import { Type, type Static } from '@sinclair/typebox';
import { Envelope } from './common.ts';

/**
 * Birth and last-will (上线 / 离线). A device publishes `{"state":"online"}` retained on
 * `v1/{kind}/{id}/status` after connecting and registers `{"state":"offline"}` as its will.
 * A will is written at connect time, so `ts` and `seq` are optional here.
 */
export const Status = Type.Object(
  {
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    ts: Type.Optional(Envelope.ts),
    seq: Type.Optional(Envelope.seq),
    fw: Type.Optional(Type.String({ maxLength: 64 })),
    reason: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { title: 'Status', additionalProperties: false },
);
export type Status = Static<typeof Status>;
