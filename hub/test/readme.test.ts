import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAvailable, tempDir, waitFor } from '@gridhub/testkit';
import { testHub } from './support.ts';

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
      // The README's two curl lines, run as written in a temp dir (they log in, then read the device).
      const curl = /<!-- readme-curl -->\s*```sh\n([\s\S]*?)\n```/.exec(readme)![1]!.replaceAll('localhost:8080', `127.0.0.1:${new URL(hub.httpUrl).port}`);
      expect(curl).toContain(`/api/devices/${id}`);
      const cwd = tempDir('readme');
      const [login, read] = curl.split('\n') as [string, string];
      const run = async (cmd: string) => (await promisify(execFile)('sh', ['-c', cmd], { cwd, timeout: 15_000 })).stdout;
      expect(JSON.parse(await run(login)).user.role).toBe('operator');
      let body: any = null;
      await waitFor(async () => {
        body = JSON.parse(await run(read));
        return body.state?.latest?.temperature_c === 22.5;
      }, 10_000, 'reading at the endpoint');
      expect(body.id).toBe(id);
      expect(body.place.grid).toBeTruthy();
      expect(body.state.batteryPct).toBe(93);
      expect(Math.abs(body.state.latestTsMs - Date.now())).toBeLessThan(60_000);
    });
  });
});
