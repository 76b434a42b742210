import { describe, expect, it } from 'vitest';
import {
  decideAfterExit,
  decideLaunch,
  electronBinary,
  INSTALL_ELECTRON_HINT,
} from '../../../main/shell/launch-decision.js';

describe('npm start: launch decision', () => {
  const bin = '/repo/node_modules/electron/dist/electron';

  it('launches Electron when its binary exists and there is a display', () => {
    expect(decideLaunch({ platform: 'linux', env: { DISPLAY: ':0' }, binary: bin })).toEqual({
      kind: 'electron',
      binary: bin,
    });
    expect(decideLaunch({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, binary: bin }).kind).toBe(
      'electron',
    );
    expect(decideLaunch({ platform: 'darwin', env: {}, binary: bin }).kind).toBe('electron');
  });

  it('falls back when the binary is missing, there is no display, or headless is asked for', () => {
    expect(decideLaunch({ platform: 'linux', env: { DISPLAY: ':0' }, binary: undefined })).toEqual({
      kind: 'fallback',
      reason: INSTALL_ELECTRON_HINT,
    });
    expect(decideLaunch({ platform: 'linux', env: {}, binary: bin })).toEqual({
      kind: 'fallback',
      reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)',
    });
    expect(decideLaunch({ platform: 'darwin', env: { MCP_TUNNEL_HEADLESS: '1' }, binary: bin }).kind).toBe(
      'fallback',
    );
  });

  it('after exit: falls back when Electron died before starting, passes the code on otherwise', () => {
    const base = {
      code: 1,
      signal: null,
      started: false,
      stopping: false,
      stderr: 'noise\n[1:ERROR] Missing X server or $DISPLAY\n',
    };
    expect(decideAfterExit(base)).toEqual({
      kind: 'fallback',
      reason: 'Electron exited with code 1 before starting: [1:ERROR] Missing X server or $DISPLAY',
    });
    expect(decideAfterExit({ ...base, code: null, signal: 'SIGSEGV', stderr: '' })).toEqual({
      kind: 'fallback',
      reason: 'Electron was killed by SIGSEGV before starting',
    });
    expect(decideAfterExit({ ...base, spawnError: 'EACCES' }).kind).toBe('fallback');
    expect(decideAfterExit({ ...base, started: true, code: 0 })).toEqual({ kind: 'exit', code: 0 });
    expect(decideAfterExit({ ...base, stopping: true, code: null, signal: 'SIGINT' })).toEqual({
      kind: 'exit',
      code: 130,
    });
  });

  it('finds the binary without triggering electron’s download', () => {
    const exists = (p: string) => p === bin || p === '/override/electron' || p === '/fake';
    expect(electronBinary({}, '/repo/node_modules/electron', 'electron', exists)).toBe(bin);
    expect(electronBinary({}, '/repo/node_modules/electron', undefined, exists)).toBeUndefined();
    expect(electronBinary({ ELECTRON_OVERRIDE_DIST_PATH: '/override' }, '/x', undefined, exists)).toBe(
      '/override/electron',
    );
    expect(electronBinary({ MCP_TUNNEL_ELECTRON: '/fake' }, '/x', 'electron', exists)).toBe('/fake');
    expect(electronBinary({ MCP_TUNNEL_ELECTRON: '/missing' }, '/x', 'electron', exists)).toBeUndefined();
  });
});
