/**
 * Entry point of the demo MCP server over stdio: `node dist/main/core/demo/demo-mcp-server.js`
 * (or `node --import tsx main/core/demo/demo-mcp-server.ts`). It only connects stdio when run
 * as the main module; importing it has no side effects. Exits when stdin closes.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createDemoServer } from './create-demo-server.js';

export { createDemoServer } from './create-demo-server.js';

/** Path of this entry file at run time (the .js in dist, or the .ts under tsx). */
export const DEMO_SERVER_ENTRY = fileURLToPath(import.meta.url);

export async function runDemoServerOverStdio(): Promise<void> {
  const server = createDemoServer();
  const transport = new StdioServerTransport();
  process.stdin.on('end', () => {
    void server.close().finally(() => process.exit(0));
  });
  await server.connect(transport);
  console.error('mcp-tunnel-demo MCP server running on stdio');
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(DEMO_SERVER_ENTRY);
  } catch {
    return false;
  }
}

if (isMain()) {
  runDemoServerOverStdio().catch((err: unknown) => {
    console.error('mcp-tunnel-demo failed to start:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
