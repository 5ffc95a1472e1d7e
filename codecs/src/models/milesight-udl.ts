import { i16le, u16le } from '../bytes.ts';
import { event, fillFromDistance, num, telemetry } from '../mapping.ts';
import type { BuiltinModel, ContractMapping, ContractMessage, UplinkFrame } from '../types.ts';
import { POSITION, THRESHOLD_ALARM, decodeChannels, encodeChannels, le16, lookup, type ChannelTable } from './milesight-channels.ts';

/**
 * Milesight EM400-UDL and EM310-UDL: ultrasonic distance sensors used on bins (垃圾满溢), with a
 * position switch (normal / tilt: the bin knocked over). Channels from
 * Milesight-IoT/SensorDecoders em-series/em400-udl/README.md and em-series/em310-udl/README.md.
 */
const MILESIGHT_PORT = 85;

const EM400_CHANNELS: ChannelTable = {
  0x0175: { len: 1, read: (b, i, o) => { o.battery = b[i]!; } },
  0x0367: { len: 2, read: (b, i, o) => { o.temperature = i16le(b, i) / 10; } },
  0x0482: { len: 2, read: (b, i, o) => { o.distance = u16le(b, i); } },
  0x0500: { len: 1, read: (b, i, o) => { o.position = lookup(POSITION, b[i]!); } },
  0x8367: { len: 3, read: (b, i, o) => { o.temperature = i16le(b, i) / 10; o.temperature_alarm = lookup(THRESHOLD_ALARM, b[i + 2]!); } },
  0x8482: { len: 3, read: (b, i, o) => { o.distance = u16le(b, i); o.distance_alarm = lookup(THRESHOLD_ALARM, b[i + 2]!); } },
};

const EM310_CHANNELS: ChannelTable = {
  0x0175: { len: 1, read: (b, i, o) => { o.battery = b[i]!; } },
  0x0382: { len: 2, read: (b, i, o) => { o.distance = u16le(b, i); } },
  0x0400: { len: 1, read: (b, i, o) => { o.position = lookup(POSITION, b[i]!); } },
};

/** Distance, fill from the site's depth, temperature, tilt, battery; a tilted bin is an event. */
const mapUdl: ContractMapping = (decoded, params) => {
  const distance = num(decoded.distance);
  const battery = num(decoded.battery);
  const temperature = num(decoded.temperature);
  const tilted = decoded.position === 'tilt' ? true : decoded.position === 'normal' ? false : undefined;
  if (distance === undefined && battery === undefined && tilted === undefined) {
    return { messages: [], warnings: ['an attribute or downlink reply frame: nothing for the contract'] };
  }
  const messages: ContractMessage[] = [];
  const fill = fillFromDistance(distance, params);
  if (distance !== undefined) {
    messages.push(telemetry({ distance_mm: distance, fill_pct: fill, temperature_c: temperature, tilted, battery_pct: battery }));
  }
  if (tilted) messages.push(event('tilted', { fill_pct: fill, temperature_c: temperature, battery_pct: battery }));
  return { messages, warnings: distance === undefined ? ['no distance in this frame: no reading'] : [] };
};

function udlModel(id: string, name: string, table: ChannelTable, encode: (d: Record<string, unknown>) => UplinkFrame): BuiltinModel {
  return {
    id, vendor: 'Milesight', name, kind: 'bin',
    source: `Milesight-IoT/SensorDecoders em-series/${name.toLowerCase()}/README.md`,
    decode(frame) {
      const { data, warnings } = decodeChannels(frame.bytes, table);
      return warnings.length ? { data, warnings } : { data };
    },
    map: mapUdl,
    encode,
  };
}

const positionByte = (d: Record<string, unknown>) => (d.position === 'tilt' ? 1 : 0);

export const em400udl = udlModel('milesight-em400-udl', 'EM400-UDL', EM400_CHANNELS, (d) => ({
  fPort: MILESIGHT_PORT,
  bytes: encodeChannels([
    [0x01, 0x75, num(d.battery) ?? 100],
    [0x03, 0x67, ...le16(Math.round((num(d.temperature) ?? 20) * 10))],
    [0x04, 0x82, ...le16(num(d.distance) ?? 0)],
    [0x05, 0x00, positionByte(d)],
  ]),
}));

export const em310udl = udlModel('milesight-em310-udl', 'EM310-UDL', EM310_CHANNELS, (d) => ({
  fPort: MILESIGHT_PORT,
  bytes: encodeChannels([
    [0x01, 0x75, num(d.battery) ?? 100],
    [0x03, 0x82, ...le16(num(d.distance) ?? 0)],
    [0x04, 0x00, positionByte(d)],
  ]),
}));
