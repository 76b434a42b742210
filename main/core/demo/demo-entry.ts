/**
 * How to start the demo MCP server as a child process: the compiled entry under dist/, or the
 * TypeScript source through tsx when running from source (tests, development).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function demoServerArgv(execPath: string = process.execPath): string[] {
  const js = fileURLToPath(new URL('./demo-mcp-server.js', import.meta.url));
  if (existsSync(js)) return [execPath, js];
  const ts = fileURLToPath(new URL('./demo-mcp-server.ts', import.meta.url));
  return [execPath, '--import', 'tsx', ts];
}
