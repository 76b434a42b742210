import { describe, expect, it } from 'vitest';
import { NotificationRules } from '../../../main/shell/notification-rules.js';
import { channel, summary } from './tray/summaries.js';

describe('notification rules', () => {
  it('says "key rejected" once when a tunnel enters auth_failed, again only after it left that state', () => {
    const rules = new NotificationRules();
    expect(rules.next(summary('prod', 'starting'))).toEqual([]);
    const [notice, ...rest] = rules.next(summary('prod', 'auth_failed'));
    expect(rest).toEqual([]);
    expect(notice).toEqual({
      kind: 'auth_failed',
      tunnelId: 'prod',
      title: 'Prod: key rejected',
      body: 'prod is auth_failed. Do the next thing.',
    });
    expect(rules.next(summary('prod', 'auth_failed'))).toEqual([]);
    rules.next(summary('prod', 'ready'));
    expect(rules.next(summary('prod', 'auth_failed'))).toHaveLength(1);
  });

  it('says "server keeps crashing" when a channel restarts often or fails, once per channel until the tunnel stops', () => {
    const rules = new NotificationRules({ crashRestarts: 3 });
    expect(rules.next(summary('demo', 'ready', { channels: [channel('main', { restarts: 2 })] }))).toEqual(
      [],
    );
    const notices = rules.next(
      summary('demo', 'degraded', { channels: [channel('main', { restarts: 3, lastError: 'exit code 1' })] }),
    );
    expect(notices).toMatchObject([
      {
        kind: 'server_crashing',
        title: 'Demo: MCP server keeps crashing',
        body: expect.stringContaining("'main' (node server.js) restarted 3 times: exit code 1."),
      },
    ]);
    expect(rules.next(summary('demo', 'degraded', { channels: [channel('main', { restarts: 7 })] }))).toEqual(
      [],
    );
    expect(
      rules.next(
        summary('demo', 'degraded', {
          channels: [channel('main', { restarts: 7 }), channel('aux', { state: 'failed', restarts: 1 })],
        }),
      ),
    ).toMatchObject([{ kind: 'server_crashing', body: expect.stringContaining("'aux'") }]);
    rules.next(summary('demo', 'stopped'));
    expect(
      rules.next(summary('demo', 'degraded', { channels: [channel('main', { restarts: 3 })] })),
    ).toHaveLength(1);
  });

  it('stays quiet for changes the user need not act on', () => {
    const rules = new NotificationRules();
    for (const kind of ['starting', 'ready', 'degraded', 'error', 'stopping', 'stopped'] as const)
      expect(
        rules.next(summary('demo', kind, { channels: [channel('main', { restarts: 1 })] })),
        kind,
      ).toEqual([]);
  });
});
