import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAvailable, waitFor } from '@gridhub/testkit';
import { getJson, testHub } from './support.ts';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The README's copy-paste line, exactly as written (only the port is the test hub's). */
function readmeMosquittoPub(): string {
  const block = /<!-- readme-mosquitto-pub -->\s*```sh\n([\s\S]*?)\n```/.exec(readme);
  if (!block) throw new Error('README has no marked mosquitto_pub block');
  return block[1]!.trim();
}

describe('README', () => {
  it('names the two set-up commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  describe.skipIf(!serverAvailable('mosquitto_pub'))('the mosquitto_pub line, run as written', () => {
    let hub: Awaited<ReturnType<typeof testHub>>;
    beforeAll(async () => {
      hub = await testHub();
    });
    afterAll(async () => hub?.dispose());

    it('makes the reading appear at the device API endpoint', async () => {
      const line = readmeMosquittoPub();
      expect(line).toContain('-p 1883');
      // Async: the hub runs in this process, so a synchronous child would block its event loop.
      await promisify(execFile)('sh', ['-c', line.replace('-p 1883', `-p ${hub.mqttPort}`)], { timeout: 15_000 });
      const id = /-i (\S+)/.exec(line)![1]!;
      const url = /curl -s http:\/\/localhost:8080(\S+)/.exec(readme)![1]!;
      expect(url).toBe(`/api/devices/${id}`);
      await waitFor(async () => (await getJson(hub, url)).body.state?.latest?.temperature_c === 22.5, 10_000, 'reading at the endpoint');
      const { body } = await getJson(hub, url);
      expect(body.state.batteryPct).toBe(93);
      expect(Math.abs(body.state.latestTsMs - Date.now())).toBeLessThan(60_000);
    });
  });
});
