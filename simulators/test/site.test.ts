import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { verifySecret } from '@gridhub/core';
import { tempDir } from '@gridhub/testkit';
import { cachedGeneratedSite, formatProgress, generateSite, loadSite, secretsPathFor } from '../src/index.ts';

const dir = tempDir('sim-site');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('site files', () => {
  it('caches a generated site: hashes in the YAML, plain secrets next to it, read back as is', async () => {
    const first = await cachedGeneratedSite(dir, { estates: 2, devices: 12, seed: 9 });
    expect(first.cached).toBe(false);
    expect(existsSync(first.path) && existsSync(secretsPathFor(first.path))).toBe(true);
    const yaml = readFileSync(first.path, 'utf8');
    expect(yaml).toContain('secret_hash: scrypt$');
    const d = first.devices[0]!;
    expect(yaml).not.toContain(d.secret!);
    const entry = first.site.communities[0]!.grids[0]!.estates[0]!.devices[0]!;
    expect(entry.secret).toBeUndefined();
    expect(await verifySecret(d.secret!, entry.secret_hash!)).toBe(true);
    const again = await cachedGeneratedSite(dir, { estates: 2, devices: 12, seed: 9 });
    expect(again.cached).toBe(true);
    expect(again.devices).toEqual(first.devices);
  });

  it('takes plain secrets, a secrets file, or a rule for the rest', () => {
    const { site } = generateSite({ estates: 1, devices: 4, seed: 1 });
    const devs = site.communities[0]!.grids[0]!.estates[0]!.devices;
    devs[0]!.secret = 'plain-secret-0';
    const path = join(dir, 'mixed.yaml');
    writeFileSync(path, stringify(site));
    writeFileSync(secretsPathFor(path), JSON.stringify({ [devs[1]!.id]: 'from-file-1' }));
    const loaded = loadSite(path, (id) => `rule-${id}`);
    const byId = new Map(loaded.devices.map((d) => [d.id, d.secret]));
    expect(byId.get(devs[0]!.id)).toBe('plain-secret-0');
    expect(byId.get(devs[1]!.id)).toBe('from-file-1');
    expect(byId.get(devs[2]!.id)).toBe(`rule-${devs[2]!.id}`);
  });

  it('refuses a file that is not a site', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'just: text\n');
    expect(() => loadSite(path)).toThrow(/site file is invalid/);
  });
});

describe('progress line', () => {
  it('says connected, msg/s, errors and reconnects', () => {
    const line = formatProgress({ connected: 9812, connects: 9812, reconnects: 3, sent: 45000, acked: 44990, errors: 2, lastError: null, total: 10000, elapsedMs: 61_000, ackRate: 1234.4 });
    expect(line).toBe('  61 s | connected 9,812/10,000 | 1,234 msg/s | sent 45,000 acked 44,990 | errors 2 | reconnects 3');
  });
});
