#!/usr/bin/env node
/**
 * The `mcp-tunnel` command. Each subcommand lives in commands/ and returns its exit code.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT, type CliIo } from './cli-io.js';
import { PRODUCT_VERSION } from '../core/runtime/product.js';

const USAGE = `mcp-tunnel ${PRODUCT_VERSION}: put private MCP servers behind an outbound-only tunnel.

Usage: mcp-tunnel <command> [options]

Commands:
  run        run tunnels (--demo: embedded relay + demo server, the default with no configuration)
  init       write a profile from a sample (the reference client's init flags work)
  profiles   list, show, add, edit, rm, import profiles
  doctor     check a profile end to end: secrets, keychain, control plane, MCP servers
  health     ask a running daemon whether it is alive and ready (exit 0 when ready)
  bundle     write a redacted support bundle (logs, config, metrics) to share
  codex      add a tunnel to OpenAI Codex (add, remove, verify, preview)
  relay      run a self-hosted relay, manage its tunnels
  version    print the version

Run 'mcp-tunnel <command> --help' for a command's options.
`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

// Each command's module is loaded only when that command runs: `run` then never loads the
// relay, `relay serve` never loads the admin server, and start-up memory stays small.
const COMMANDS: Record<string, Command> = {
  run: async (argv, io) => (await import('./commands/run.js')).runCommand(argv, io),
  init: async (argv, io) => (await import('./commands/init.js')).initCommand(argv, io),
  profiles: async (argv, io) => (await import('./commands/profiles.js')).profilesCommand(argv, io),
  doctor: async (argv, io) => (await import('./commands/doctor.js')).doctorCommand(argv, io),
  health: async (argv, io) => (await import('./commands/health.js')).healthCommand(argv, io),
  bundle: async (argv, io) => (await import('./commands/bundle.js')).bundleCommand(argv, io),
  codex: async (argv, io) => (await import('./commands/codex.js')).codexCommand(argv, io),
  relay: async (argv, io) => (await import('./commands/relay.js')).relayCommand(argv, io),
  version: async (_argv, io) => {
    io.stdout.write(`${PRODUCT_VERSION}\n`);
    return EXIT.ok;
  },
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') return COMMANDS.version!(rest, io);
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`mcp-tunnel: unknown command '${name}'.\n\n${USAGE}`);
    return EXIT.usage;
  }
  return command(rest, io);
}

function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    count += 1;
    if (count > 1) {
      process.stderr.write(`mcp-tunnel: ${sig} again, exiting now.\n`);
      process.exit(EXIT.interrupted);
    }
    controller.abort(new Error(`received ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: interruptSignal(),
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`mcp-tunnel: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = EXIT.failure;
    });
}
