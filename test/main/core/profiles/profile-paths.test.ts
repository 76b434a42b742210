import { describe, expect, it } from 'vitest';
import {
  defaultProfileDir,
  displayPath,
  isValidProfileName,
  looksLikeProfilePath,
  resolveProfileDir,
} from '../../../../main/core/profiles/profile-paths.js';

describe('profile directory', () => {
  it('Linux: $XDG_CONFIG_HOME, else ~/.config', () => {
    expect(
      defaultProfileDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/x/cfg' }, home: '/home/ann' }),
    ).toBe('/x/cfg/mcp-tunnel/profiles');
    expect(defaultProfileDir({ platform: 'linux', env: {}, home: '/home/ann' })).toBe(
      '/home/ann/.config/mcp-tunnel/profiles',
    );
    // A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
    expect(defaultProfileDir({ platform: 'linux', env: { XDG_CONFIG_HOME: 'rel' }, home: '/home/ann' })).toBe(
      '/home/ann/.config/mcp-tunnel/profiles',
    );
  });

  it('macOS: ~/Library/Application Support', () => {
    expect(
      defaultProfileDir({ platform: 'darwin', env: { XDG_CONFIG_HOME: '/ignored' }, home: '/Users/ann' }),
    ).toBe('/Users/ann/Library/Application Support/mcp-tunnel/profiles');
  });

  it('Windows: %APPDATA%, else ~\\AppData\\Roaming', () => {
    expect(
      defaultProfileDir({
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' },
        home: 'C:\\Users\\ann',
      }),
    ).toBe('C:\\Users\\ann\\AppData\\Roaming\\mcp-tunnel\\profiles');
    expect(defaultProfileDir({ platform: 'win32', env: {}, home: 'C:\\Users\\ann' })).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\mcp-tunnel\\profiles',
    );
  });

  it('--profile-dir beats MCP_TUNNEL_PROFILE_DIR beats the default; ~ expands', () => {
    const ctx = { platform: 'linux' as const, env: { MCP_TUNNEL_PROFILE_DIR: '~/p-env' }, home: '/home/ann' };
    expect(resolveProfileDir('/flag/dir', ctx)).toBe('/flag/dir');
    expect(resolveProfileDir(undefined, ctx)).toBe('/home/ann/p-env');
    expect(resolveProfileDir('  ', { ...ctx, env: {} })).toBe('/home/ann/.config/mcp-tunnel/profiles');
  });

  it('profile names and paths', () => {
    for (const ok of ['work', 'local-jira', 'a.b_c-1', 'X', 'a'.repeat(64)])
      expect(isValidProfileName(ok)).toBe(true);
    for (const bad of ['', '-x', '.hidden', '../x', 'a/b', 'a b', 'a'.repeat(65)])
      expect(isValidProfileName(bad)).toBe(false);
    expect(looksLikeProfilePath('./x.yaml')).toBe(true);
    expect(looksLikeProfilePath('x.yml')).toBe(true);
    expect(looksLikeProfilePath('work')).toBe(false);
    expect(displayPath('/home/ann/.config/x.yaml', '/home/ann')).toBe('~/.config/x.yaml');
    expect(displayPath('/home/anna/x.yaml', '/home/ann')).toBe('/home/anna/x.yaml');
  });
});
