import { readFileSync } from 'node:fs';
import { HubError, verifySecret } from '@gridhub/core';
import { describe, expect, it } from 'vitest';
import { DEMO_SITE_PATH, demoDeviceSecret, loadSiteFile, parseSiteYaml, validateSite } from '../src/index.ts';
import { siteDevices, siteWardens, smallSite } from './fixtures.ts';

function problemsOf(fn: () => unknown): { path: string; reason: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('HUB_ERR_SITE_INVALID');
    return (err as HubError).details as { path: string; reason: string }[];
  }
  throw new Error('expected HUB_ERR_SITE_INVALID');
}

/** The `| label | n |` rows of the README's demo-site table. */
function readmeCounts(): Map<string, number> {
  const text = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = text.slice(text.indexOf('| demo site | count |'));
  const out = new Map<string, number>();
  for (const m of table.matchAll(/^\| ([a-z -]+) \| (\d+) \|$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

describe('site files', () => {
  it('reports a YAML syntax error with its line and column', () => {
    const text = 'version: 1\nstreet: { id: s, name: x }\ncommunities:\n  - id: c\n    name: [unclosed\n';
    const problems = problemsOf(() => parseSiteYaml(text, 'broken.yaml'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.path).toMatch(/^broken\.yaml:\d+:\d+$/);
    const [, line] = problems[0]!.path.split(':');
    expect(Number(line)).toBeGreaterThanOrEqual(5);
  });

  it('reports schema problems with readable paths, all of them', () => {
    const site = smallSite() as any;
    site.communities[0].grids[0].estates[0].devices[1].kind = 'toaster';
    site.communities[0].grids[0].wardens[0].phone = 'call me';
    site.communities[0].grids[0].estates[0].devices[2].installed = '2024-02-31';
    const problems = validateSite(site);
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('communities[0].grids[0].estates[0].devices[1].kind');
    expect(paths).toContain('communities[0].grids[0].wardens[0].phone');
    expect(paths).toContain('communities[0].grids[0].estates[0].devices[2].installed');
  });

  it('checks references: unit without its building, elevator of another unit, floor above the roof', () => {
    const site = smallSite();
    const estate = site.communities[0]!.grids[0]!.estates[0]!;
    estate.buildings[0]!.units.push({ id: 'b1-u2', name: '2单元', elevators: ['b1-u2-e1'] });
    estate.devices[0]!.floor = 7;
    estate.devices[1]!.unit = 'b1-u2';
    estate.devices.push({ id: 'smk-t2', kind: 'smoke', secret: 'another-secret', unit: 'b1-u1' });
    const d = 'communities[0].grids[0].estates[0].devices';
    expect(validateSite(site)).toEqual([
      { path: `${d}[0].floor`, reason: "floor 7 is above the building's 6 floors" },
      { path: `${d}[1].elevator`, reason: 'elevator b1-u1-e1 belongs to unit b1-u1, not b1-u2' },
      { path: `${d}[4].building`, reason: 'a device in unit b1-u1 needs its building (b1)' },
      { path: `${d}[4].building`, reason: 'a smoke device needs a building' },
    ]);
    expect(validateSite(smallSite())).toEqual([]);
  });

  it('the committed demo site is valid and has the counts the README claims', async () => {
    const site = await loadSiteFile(DEMO_SITE_PATH);
    const estates = site.communities.flatMap((c) => c.grids.flatMap((g) => g.estates));
    const buildings = estates.flatMap((e) => e.buildings);
    const units = buildings.flatMap((b) => b.units);
    const devices = siteDevices(site);
    const ofKind = (k: string) => devices.filter((x) => x.kind === k).length;
    const actual = new Map<string, number>([
      ['grids', site.communities.flatMap((c) => c.grids).length],
      ['estates', estates.length],
      ['buildings', buildings.length],
      ['units', units.length],
      ['elevators', units.flatMap((u) => u.elevators ?? []).length],
      ['devices', devices.length],
      ['smoke alarms', ofKind('smoke')],
      ['bins', ofKind('bin')],
      ['manholes', ofKind('manhole')],
      ['e-bike cameras', ofKind('ebike')],
      ['wardens', siteWardens(site).length],
    ]);
    expect(readmeCounts()).toEqual(actual);
    expect(devices.every((x) => x.secret === undefined && x.secret_hash !== undefined)).toBe(true);
    for (const g of site.communities.flatMap((c) => c.grids)) {
      expect(g.wardens.filter((w) => w.role === 'grid_leader').length).toBe(1);
      expect(g.wardens.filter((w) => w.role === 'full_time').length).toBe(2);
      expect(g.wardens.filter((w) => w.role === 'part_time').length).toBeGreaterThanOrEqual(2);
    }
    const sample = devices[17]!;
    expect(await verifySecret(demoDeviceSecret(sample.id), sample.secret_hash!)).toBe(true);
  });
});
