import { execFile } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TunnelConfig } from '../../../../main/core/engine/config.js';
import { redactUrl, redactedConfig } from '../../../../main/core/observability/redacted-config.js';

const run = promisify(execFile);

const CANARY = {
  apiKey: 'sk-canaryApiKey0123456789abcdef',
  header: 'canary-header-value-7f3a9c',
  env: 'canary-env-value-51be02',
  urlPass: 'canaryUrlPass8d21',
  query: 'canaryQueryToken93e1',
  argvToken: 'canary-argv-token-2c4d',
  argvInline: 'canary-argv-inline-77aa',
  proxyPass: 'canaryProxyPass6b0f',
};

let dir = '';
let certPem = '';
let keyPem = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'redacted-config-'));
  const keyFile = join(dir, 'client.key');
  const certFile = join(dir, 'client.crt');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=canary-client',
  ]);
  certPem = await readFile(certFile, 'utf8');
  keyPem = await readFile(keyFile, 'utf8');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function canaryConfig(): TunnelConfig {
  const rsaKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
    type: 'pkcs1',
    format: 'pem',
  });
  return {
    name: 'prod',
    controlPlane: {
      baseUrl: `https://svc:${CANARY.urlPass}@cp.example.com/base?token=${CANARY.query}`,
      tunnelId: 'tun_123',
      apiKey: CANARY.apiKey,
      clientCertPem: certPem,
      clientKeyPem: keyPem,
      caBundlePem: `${certPem}\n${certPem}`,
      proxyUrl: `http://proxyuser:${CANARY.proxyPass}@proxy.internal:3128`,
      maxInflight: 20,
      pollTimeoutMs: 30_000,
    },
    channels: [
      {
        name: 'jira',
        kind: 'stdio',
        argv: [
          'node',
          'server.js',
          '--token',
          CANARY.argvToken,
          `--api-key=${CANARY.argvInline}`,
          '--verbose',
        ],
        env: { JIRA_TOKEN: CANARY.env, PLAIN_SETTING: CANARY.env },
        cwd: '/opt/jira',
      },
      {
        name: 'data',
        kind: 'http',
        url: `https://user:${CANARY.urlPass}@data.internal/mcp?access=${CANARY.query}#frag`,
        extraHeaders: { Authorization: `Bearer ${CANARY.header}`, 'X-Custom': CANARY.header },
        clientKeyPem: String(rsaKey),
      },
    ],
    maxConcurrent: 10,
    connectionMaxTtlMs: 600_000,
  };
}

describe('redactedConfig', () => {
  it('removes every secret and keeps the structure', () => {
    const result = redactedConfig(canaryConfig(), {
      health: { listenAddr: '127.0.0.1:8080' },
      log: { level: 'debug' },
      meta: { profileFile: '/home/ada/.config/mcp-tunnel/profiles/prod.yaml' },
    });
    const text = JSON.stringify(result);
    for (const [name, canary] of Object.entries(CANARY)) expect(text, name).not.toContain(canary);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('BEGIN CERTIFICATE');

    const fingerprint = new X509Certificate(certPem).fingerprint256;
    expect(result).toEqual({
      name: 'prod',
      controlPlane: {
        baseUrl: 'https://cp.example.com/base?[REDACTED]',
        tunnelId: 'tun_123',
        apiKey: '[REDACTED]',
        clientCertPem: expect.objectContaining({
          present: true,
          sha256: fingerprint,
          subject: 'CN=canary-client',
        }),
        clientKeyPem: '[REDACTED]',
        caBundlePem: [
          expect.objectContaining({ sha256: fingerprint }),
          expect.objectContaining({ sha256: fingerprint }),
        ],
        proxyUrl: 'http://proxy.internal:3128',
        maxInflight: 20,
        pollTimeoutMs: 30_000,
      },
      channels: [
        {
          name: 'jira',
          kind: 'stdio',
          argv: ['node', 'server.js', '--token', '[REDACTED]', '--api-key=[REDACTED]', '--verbose'],
          env: { JIRA_TOKEN: '[REDACTED]', PLAIN_SETTING: '[REDACTED]' },
          cwd: '/opt/jira',
        },
        {
          name: 'data',
          kind: 'http',
          url: 'https://data.internal/mcp?[REDACTED]',
          extraHeaders: { Authorization: '[REDACTED]', 'X-Custom': '[REDACTED]' },
          clientKeyPem: '[REDACTED]',
        },
      ],
      maxConcurrent: 10,
      connectionMaxTtlMs: 600_000,
      health: { listenAddr: '127.0.0.1:8080' },
      log: { level: 'debug' },
      meta: { profileFile: '/home/ada/.config/mcp-tunnel/profiles/prod.yaml' },
    });
  });

  it('is JSON-safe and idempotent', () => {
    const once = redactedConfig(canaryConfig());
    const twice = redactedConfig(once as unknown as TunnelConfig);
    expect(twice).toEqual(once);
    expect(JSON.parse(JSON.stringify(once))).toEqual(once);
  });

  it('treats a PEM field without a certificate in it as a secret', () => {
    const config = canaryConfig();
    config.controlPlane.clientCertPem = keyPem;
    const result = redactedConfig(config) as { controlPlane: { clientCertPem: unknown } };
    expect(result.controlPlane.clientCertPem).toBe('[REDACTED]');
  });
});

describe('redactUrl', () => {
  it('keeps scheme, host, port and path only', () => {
    expect(redactUrl('https://api.openai.com')).toBe('https://api.openai.com');
    expect(redactUrl('https://api.openai.com/')).toBe('https://api.openai.com/');
    expect(redactUrl('http://a:b@127.0.0.1:9000/x/y?z=1')).toBe('http://127.0.0.1:9000/x/y?[REDACTED]');
    expect(redactUrl('not a url?token=abc')).toBe('not a url?[REDACTED]');
  });
});
