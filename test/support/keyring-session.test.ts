import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { KEYRING_SESSION_ENV, startKeyringSession, type KeyringSession } from './keyring-session.js';

const run = promisify(execFile);
let session: KeyringSession | undefined;
let emptyDir: string | undefined;
afterEach(async () => {
  await session?.stop();
  session = undefined;
  if (emptyDir) await rm(emptyDir, { recursive: true, force: true });
  emptyDir = undefined;
});

const ping = (env: NodeJS.ProcessEnv): Promise<unknown> =>
  run(
    'dbus-send',
    [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.secrets',
      '/org/freedesktop/secrets',
      'org.freedesktop.DBus.Peer.Ping',
    ],
    { env, timeout: 5000 },
  );

describe('private keyring session', () => {
  it('serves the Secret Service on its own bus, and is gone after stop()', async () => {
    session = await startKeyringSession();
    const env = session.env({ PATH: process.env.PATH });
    expect(env.DBUS_SESSION_BUS_ADDRESS).toContain(session.dir);
    expect(env[KEYRING_SESSION_ENV]).toBe(session.dir);
    await ping(env);
    await session.stop();
    expect(existsSync(session.dir)).toBe(false);
    await expect(ping(env)).rejects.toThrow();
    session = undefined;
  });

  it('fails naming the Debian packages when a daemon is missing', async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'no-daemons-'));
    await expect(startKeyringSession({ searchPath: emptyDir })).rejects.toThrow(
      /dbus-daemon is not installed \(Debian package 'dbus'\).*apt-get install dbus gnome-keyring libsecret-1-dev/,
    );
  });
});
