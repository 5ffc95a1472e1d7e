import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEVICE_KINDS, HUB_ERRORS, HubError, type HubErrorCode } from '@gridhub/core';
import { MAX_CODEC_SOURCE_BYTES, parseBase64, parseHex, type CodecRegistry } from '@gridhub/codecs';
import { ANY_SESSION, roles } from '../auth/access.ts';
import { requireRole } from '../auth/index.ts';
import { ErrorBody } from './errors.ts';

/** The longest frame the decode route takes: LoRaWAN's largest payload is 242 bytes; NB-IoT's more. */
const MAX_FRAME_BYTES = 2048;

const ModelId = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', description: 'model id, e.g. milesight-em400-udl' });
const ModelInfo = Type.Object({
  id: Type.String(),
  vendor: Type.String(),
  name: Type.String(),
  kind: Type.Union(DEVICE_KINDS.map((k) => Type.Literal(k))),
  codec: Type.Union([Type.Literal('builtin'), Type.Literal('ttn-js')]),
});
const CodecErrorBody = Type.Object({ code: Type.String(), message: Type.String() });
const Message = Type.Object({ channel: Type.String(), payload: Type.Record(Type.String(), Type.Unknown()) });

/**
 * Device models (设备型号): list them; give a model the vendor's own decoder (TTN device-repository
 * JavaScript, run in the sandbox); decode a pasted frame to see both the codec's own output
 * (`decoded`) and our contract (`reading`: the v1 messages without ts/seq). Admin only but the list.
 */
export const deviceModelsRoutes: FastifyPluginAsyncTypebox<{ codecs: CodecRegistry }> = async (app, { codecs }) => {
  app.get(
    '/',
    {
      config: { access: ANY_SESSION },
      schema: { tags: ['device-models'], summary: 'Every device model: built in or with an uploaded codec', response: { 200: Type.Object({ models: Type.Array(ModelInfo) }) } },
    },
    async () => ({ models: codecs.models() }),
  );

  app.put(
    '/:model',
    {
      config: { access: roles('admin') },
      bodyLimit: MAX_CODEC_SOURCE_BYTES + 16 * 1024,
      schema: {
        tags: ['device-models'],
        summary: "Give a model the vendor's decoder (TTN format: function decodeUplink(input) { return { data, warnings, errors } })",
        params: Type.Object({ model: ModelId }),
        body: Type.Object(
          {
            kind: Type.Union(DEVICE_KINDS.map((k) => Type.Literal(k))),
            vendor: Type.Optional(Type.String({ maxLength: 64 })),
            name: Type.Optional(Type.String({ maxLength: 64 })),
            codec: Type.Object({ format: Type.Literal('ttn-js'), source: Type.String({ minLength: 1, maxLength: MAX_CODEC_SOURCE_BYTES }) }, { additionalProperties: false }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ model: ModelInfo }), 400: ErrorBody, 403: ErrorBody, 422: ErrorBody },
      },
    },
    async (req) => {
      // kept until the auth plugin checks `config.access` on every route (issue 9)
      const user = requireRole(req, ['admin'], 'upload a codec');
      const { kind, vendor, name, codec } = req.body;
      const r = await codecs.upload({ modelId: req.params.model, kind, vendor, name, source: codec.source }, user.id);
      if (!r.ok) throw codedError(r.error);
      req.log.info({ model: r.model.id, by: user.id, bytes: codec.source.length }, 'device model codec uploaded');
      return { model: r.model };
    },
  );

  app.post(
    '/:model/decode',
    {
      config: { access: roles('admin') },
      schema: {
        tags: ['device-models'],
        summary: "Decode one frame: the codec's own output and our contract's messages",
        params: Type.Object({ model: ModelId }),
        body: Type.Object(
          {
            fPort: Type.Integer({ minimum: 0, maximum: 255 }),
            hex: Type.Optional(Type.String({ maxLength: MAX_FRAME_BYTES * 3 })),
            base64: Type.Optional(Type.String({ maxLength: Math.ceil(MAX_FRAME_BYTES / 3) * 4 + 8 })),
            params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()]))),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            decoded: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
            reading: Type.Array(Message),
            errors: Type.Array(CodecErrorBody),
            warnings: Type.Array(Type.String()),
          }),
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req) => {
      requireRole(req, ['admin'], 'decode frames');
      const { fPort, hex, base64, params } = req.body;
      if ((hex === undefined) === (base64 === undefined)) throw new HubError('HUB_ERR_VALIDATION', ['give the frame as one of hex or base64']);
      const bytes = hex !== undefined ? parseHex(hex) : parseBase64(base64!);
      if (!bytes) throw new HubError('HUB_ERR_VALIDATION', [hex !== undefined ? 'hex is not whole bytes of hexadecimal' : 'base64 is not base64']);
      if (bytes.length > MAX_FRAME_BYTES) throw new HubError('HUB_ERR_VALIDATION', [`frame over ${MAX_FRAME_BYTES} bytes`]);
      if (!codecs.has(req.params.model)) throw new HubError('HUB_ERR_CODEC_UNKNOWN_MODEL', [req.params.model]);
      const out = await codecs.decode(req.params.model, { fPort, bytes }, params ?? {});
      return { decoded: out.decoded, reading: out.messages, errors: out.errors, warnings: out.warnings };
    },
  );
};

/** A codec error from the registry as the HTTP error it stands for. */
function codedError(e: { code: string; message: string }): HubError {
  const code: HubErrorCode = e.code in HUB_ERRORS ? (e.code as HubErrorCode) : 'HUB_ERR_CODEC_INVALID';
  const err = new HubError(code);
  // the registry's message already names the model and the reason
  Object.defineProperty(err, 'message', { value: e.message });
  return err;
}
