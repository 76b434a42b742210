/** Serves the built admin UI from a directory, safely (no path escapes, strict CSP). */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export async function serveStatic(dir: string | undefined, rel: string, res: ServerResponse): Promise<void> {
  if (!dir) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('The admin UI is not built in this installation. The admin API is available under /api.\n');
    return;
  }
  const clean = normalize(decodeURIComponent(rel || 'index.html'));
  if (clean.startsWith('..') || clean.includes(`${sep}..`) || clean.startsWith(sep)) {
    res.writeHead(400);
    res.end();
    return;
  }
  const file = join(dir, clean === '.' ? 'index.html' : clean);
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': UI_CSP,
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
    res.end(body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found.\n');
  }
}
