import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSecret, type SiteFile } from '@gridhub/core';
import { MODEL_SAMPLES, type ModelSample } from '@gridhub/simulators';

/** The ChirpStack application the test devices belong to, and another one. */
export const APP = '7d3e5a6c-1a2b-4c3d-9e8f-001122334455';
export const OTHER_APP = '0b8f2a11-5c6d-4e7f-8a9b-ffeeddccbbaa';
export const SERVICE = { username: 'chirpstack', password: 'chirpstack-service-pw', applications: [APP] };
export const CTWING_TOKEN = 'ctwing-push-secret-0123456789';
export const ONENET_TOKEN = 'onenet-token-xyz';
export const CAMERA_SECRET = 'camera-box-secret-1';

export interface NetDevice {
  id: string;
  sample: ModelSample;
  devEui: string;
}

/** One LoRaWAN device per built-in model (DevEUI a840410000000001..), NB-IoT devices on CTWing and OneNET, a camera box. */
export function networkDevices(): NetDevice[] {
  return MODEL_SAMPLES.map((sample, i) => ({ id: `lw-${sample.model}`, sample, devEui: `a8404100000000${String(i + 1).padStart(2, '0')}` }));
}
export const CTWING_DEVICE = { id: 'nb-dc410-1', imei: '861234567890123', deviceId: '15127845861234567890123', productId: '15127845' };
export const ONENET_DEVICE = { id: 'nb-gs524n-1', imei: '861234567890555', devId: 5213401 };
/** A device behind The Things Stack (application `estate@ttn`). */
export const TTS_DEVICE = { id: 'lw-tts-em310', devEui: 'a8404100000000ee', ttsId: 'em310-bin-3', app: 'estate', tenant: 'ttn' };
/** A device of another application: a service account of APP must not feed it. */
export const FOREIGN = { id: 'lw-foreign', devEui: 'a8404100000000ff' };

export function networkSite(): SiteFile {
  const devices: SiteFile['communities'][number]['grids'][number]['estates'][number]['devices'] = [];
  networkDevices().forEach((d, i) => {
    const indoor = d.sample.kind === 'smoke';
    devices.push({
      id: d.id,
      kind: d.sample.kind,
      secret: `secret-${d.id}`,
      ...(indoor ? { building: 'b1', unit: 'b1-u1', floor: 2 } : { position: { x: 10 + i * 5, y: 50 } }),
      ...(d.sample.kind === 'bin' ? { bin_depth_mm: 1500 } : {}),
      model: d.sample.model,
      dev_eui: d.devEui.toUpperCase(),
      network_app: APP,
      ...(d.sample.params ? { params: d.sample.params } : {}),
    });
  });
  devices.push({ id: FOREIGN.id, kind: 'bin', secret: 'secret-lw-foreign', position: { x: 90, y: 70 }, bin_depth_mm: 1500, model: 'dingtek-df703', dev_eui: FOREIGN.devEui, network_app: OTHER_APP });
  devices.push({ id: TTS_DEVICE.id, kind: 'bin', secret: 'secret-lw-tts', position: { x: 70, y: 70 }, bin_depth_mm: 1500, model: 'milesight-em310-udl', dev_eui: TTS_DEVICE.devEui, network_app: `${TTS_DEVICE.app}@${TTS_DEVICE.tenant}` });
  devices.push({ id: CTWING_DEVICE.id, kind: 'manhole', secret: 'secret-nb-dc410', position: { x: 80, y: 10 }, model: 'dingtek-dc410', imei: CTWING_DEVICE.imei, platform_device_id: CTWING_DEVICE.deviceId, params: { wellDepthMm: 2000, f_port: 3 } });
  devices.push({ id: ONENET_DEVICE.id, kind: 'smoke', secret: 'secret-nb-gs524n', building: 'b1', unit: 'b1-u1', floor: 4, model: 'milesight-gs524n', imei: ONENET_DEVICE.imei, platform_device_id: String(ONENET_DEVICE.devId) });
  devices.push({ id: 'cam-b1-e1', kind: 'ebike', secret: CAMERA_SECRET, building: 'b1', unit: 'b1-u1', elevator: 'b1-u1-e1' });
  devices.push({ id: 'cam-b1-e2', kind: 'ebike', secret: 'another-camera-secret', building: 'b1', unit: 'b1-u1', elevator: 'b1-u1-e2' });
  return {
    version: 1,
    street: { id: 'st-net', name: '网络街道' },
    communities: [
      {
        id: 'c-net',
        name: '网络社区',
        grids: [
          {
            id: 'g-net',
            name: '网络网格',
            wardens: [{ id: 'w-net-1', name: '李伟', phone: '138 0000 7001', role: 'grid_leader' }],
            estates: [
              {
                id: 'e-net',
                name: '物联小区',
                plan: { width_m: 100, height_m: 80 },
                buildings: [{ id: 'b1', name: '1号楼', floors: 18, position: { x: 10, y: 10 }, units: [{ id: 'b1-u1', name: '1单元', elevators: ['b1-u1-e1', 'b1-u1-e2'] }] }],
                devices,
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Writes the site and the MQTT users file (a ChirpStack service account bound to APP) into `dir`. */
export async function writeNetworkFiles(dir: string): Promise<{ sitePath: string; mqttUsersPath: string }> {
  const sitePath = join(dir, 'site.json');
  writeFileSync(sitePath, JSON.stringify(networkSite()));
  const mqttUsersPath = join(dir, 'mqtt-users.json');
  writeFileSync(mqttUsersPath, JSON.stringify([{ username: SERVICE.username, password_hash: await hashSecret(SERVICE.password), role: 'service', applications: SERVICE.applications }]));
  return { sitePath, mqttUsersPath };
}

/** The hub's default network settings, for tests that set a few. */
export { DEFAULT_CONFIG } from '../src/index.ts';
import { DEFAULT_CONFIG as D } from '../src/index.ts';
export const DEFAULT_NETWORKS = D.networks;
