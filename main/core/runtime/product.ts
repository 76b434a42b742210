/** Product identity, sent as X-Tunnel-Client-Name / -Version and shown in the UI. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // dist/main/core/runtime/product.js and main/core/runtime/product.ts are both 3 levels below
  // the package root's main/ folder; look upwards for package.json.
  for (const rel of ['../../../package.json', '../../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'mcp-tunnel' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

export const PRODUCT_NAME = 'mcp-tunnel';
export const PRODUCT_VERSION = readVersion();
