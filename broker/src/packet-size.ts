import type { Client } from 'aedes';
import { HubError } from '@gridhub/core';

/**
 * `maxPacketBytes`: a packet whose remaining length is larger closes the connection as soon as
 * its fixed header is read, before the body is buffered. aedes 1.2 creates its mqtt-packet
 * parser without a size limit and has no option for one, so this wraps the parser's
 * `_parseLength` state (a private of mqtt-packet 9; test/packet-size in broker.test.ts guards it).
 */
interface ParserInternals {
  _parseLength: () => boolean;
  _emitError: (err: Error) => void;
  packet: { length: number };
}

export function limitPacketSize(client: Client, maxPacketBytes: number): Client {
  const parser = (client as Client & { _parser?: ParserInternals })._parser;
  if (!parser || typeof parser._parseLength !== 'function') return client;
  const parseLength = parser._parseLength;
  parser._parseLength = function limitedParseLength(this: ParserInternals) {
    const ok = parseLength.call(this);
    if (ok && this.packet.length > maxPacketBytes) {
      this._emitError(new HubError('HUB_ERR_PROTOCOL', [`packet of ${this.packet.length} bytes exceeds maxPacketBytes ${maxPacketBytes}`]));
      return false;
    }
    return ok;
  };
  return client;
}
