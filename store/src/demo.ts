import { fileURLToPath } from 'node:url';

/** The committed demo site (a fictional subdistrict); loaded when the store is empty and no site is given. */
export const DEMO_SITE_PATH = fileURLToPath(new URL('../demo/demo-site.yaml', import.meta.url));

/** The demo site's street office (澜溪街道): a store holding it holds the demo site. */
export const DEMO_STREET_ID = 'st-lanxi';

/**
 * The documented secret of every demo device: `'demo-' + id`. The demo YAML holds only the
 * scrypt hashes; simulators use this to connect. Never use the demo site outside a demo.
 */
export function demoDeviceSecret(id: string): string {
  return `demo-${id}`;
}
