import type { DeviceIdentity, RadioHealth } from '@gridhub/core';
import type { ContractMessage, UplinkFrame } from '@gridhub/codecs';

/** The networks whose messages the hub ingests besides the devices' own MQTT. */
export const NETWORKS = ['chirpstack', 'tts', 'ctwing', 'onenet', 'camera'] as const;
export type Network = (typeof NETWORKS)[number];

/** How the uplink names its device: a network identity, or (an authenticated camera box) the device id. */
export type UplinkIdentity = DeviceIdentity | { type: 'deviceId'; value: string };

/**
 * What an uplink carries:
 * - `frame`: the device's bytes, decoded by the device's model; `decoded` when the network server
 *   already ran a codec (ChirpStack `object`, TTS `decoded_payload`, CTWing's profile-decoded
 *   payload): then only the model's mapping runs;
 * - `messages`: contract messages already (a platform's online/offline report, a camera box);
 * - `seen`: no reading, only liveness and radio (a LoRaWAN join) and perhaps the battery
 *   (ChirpStack's status event).
 */
export type UplinkContent =
  /** `fPort` null: the network has no ports (NB-IoT); the device's `params.f_port` applies, else 1. */
  | { type: 'frame'; frame: Omit<UplinkFrame, 'fPort'> & { fPort: number | null }; decoded?: Record<string, unknown> | null }
  | { type: 'decoded'; decoded: Record<string, unknown> }
  | { type: 'messages'; messages: ContractMessage[] }
  | { type: 'seen'; batteryPct?: number };

/**
 * One network server's or platform's uplink, parsed from its envelope by a source
 * (ingest/src/sources/*), before the device is looked up. Pure data.
 */
export interface NetworkUplink {
  network: Network;
  identity: UplinkIdentity;
  /** Further identities tried in order when `identity` names no device (CTWing: IMEI, then deviceId). */
  alternatives?: UplinkIdentity[];
  /** The application it arrived from (ChirpStack application id, TTS `app@tenant`), checked against the device's `network_app`. */
  application: string | null;
  /** Topic or route it came in on: the refusal record's `topic`. */
  origin: string;
  /** Who delivered it (MQTT client id, platform name). */
  clientId: string;
  /**
   * The network's own id of this uplink (ChirpStack deduplicationId, TTS f_cnt + received_at,
   * CTWing upPacketSN + timestamp): a redelivery with the same key is acknowledged, not ingested
   * twice. Null when the network gives none.
   */
  key: string | null;
  /** Network time and counter: the readings' ts (+ i for the i-th message of one frame) and seq, so a replay overwrites itself. */
  tsMs: number;
  seq: number;
  rxMs: number;
  content: UplinkContent;
  radio: Omit<RadioHealth, 'network' | 'atMs'> | null;
  /** What the network says about the device (name, application name, profile), kept for an unclaimed one. */
  detail: Record<string, string>;
  /** The raw message, for the refusal record's head and size. */
  raw: Uint8Array;
}

/** A source's verdict on one raw message. */
export type SourceResult =
  | { uplink: NetworkUplink }
  /** Malformed beyond finding the device: refused with this error (recorded, deviceId unknown). */
  | { refuse: import('@gridhub/core').HubError }
  /** A message kind that carries no reading (ChirpStack `txack`, `log`; TTS `down/*`): acknowledged and counted. */
  | { ignore: string };
