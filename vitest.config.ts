import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // A private D-Bus + unlocked gnome-keyring, so keychain tests use a real Secret Service
    // and never touch the developer's own keyring.
    globalSetup: ['./test/support/keyring-session.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
