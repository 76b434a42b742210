/**
 * Property tests for profile YAML (parseProfileText): random text and random near-valid
 * documents either parse, or fail with a ProfileError that has a stable code, names the file and
 * says what to do; nothing else is ever thrown, and a secret-looking value planted in the text
 * never appears in an error message.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ProfileError } from '../../main/core/profiles/profile-errors.js';
import { parseProfileText } from '../../main/core/profiles/profile-yaml.js';

const FILE = '~/.config/mcp-tunnel/profiles/fuzz.yaml';
const SECRET = 'sk-planted-secret-value-9f8e7d6c5b4a';

const scalar = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('30s', '10m', 'env:API_KEY', 'keychain:x', 'https://example.test/mcp', SECRET, 'main', '1'),
);

const doc = fc.record(
  {
    config_version: fc.oneof(fc.constant(1), scalar),
    control_plane: fc.oneof(
      scalar,
      fc.record(
        {
          base_url: scalar,
          tunnel_id: fc.oneof(scalar, fc.constant('tunnel_0123456789abcdef0123456789abcdef')),
          api_key: scalar,
          poll_timeout: scalar,
          max_inflight_requests: scalar,
        },
        { requiredKeys: [] },
      ),
    ),
    mcp: fc.oneof(
      scalar,
      fc.record(
        {
          commands: fc.array(
            fc.record(
              {
                channel: scalar,
                command: scalar,
                env: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 2 }),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 2 },
          ),
          server_urls: fc.array(fc.record({ channel: scalar, url: scalar }, { requiredKeys: [] }), {
            maxLength: 2,
          }),
        },
        { requiredKeys: [] },
      ),
    ),
    log: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);

function check(text: string): void {
  try {
    parseProfileText(text, { file: FILE, profileName: 'fuzz' });
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    const e = error as ProfileError;
    expect(e.code).toMatch(/^profile_[a-z_]+$/);
    expect(e.message.length).toBeGreaterThan(15);
    expect(e.message).not.toContain(SECRET);
  }
}

describe('fuzz: profile YAML', () => {
  it('random text: a profile or a ProfileError with a code and a next step, never a crash', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom('a: [', '&a [*a]', ': :', '---\n---', `api_key: ${SECRET}\n  bad: [`),
        ),
        check,
      ),
      { numRuns: 400 },
    );
  });

  it('random near-valid documents (YAML of wrong types, unknown keys, planted secrets): same guarantees', () => {
    fc.assert(
      fc.property(doc, fc.dictionary(fc.string({ maxLength: 10 }), scalar, { maxKeys: 2 }), (d, extra) => {
        check(stringify({ ...d, ...extra }));
      }),
      { numRuns: 400 },
    );
  });
});

describe('profile YAML: aliases (found by the fuzzer)', () => {
  it('an alias without an anchor, or an alias bomb, is a ProfileError that quotes nothing from the file', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map(
        (k, i) =>
          `${k}: &${k} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    for (const text of ['*undefined_anchor_name', `api_key: *${SECRET.replace(/-/g, '_')}`, bomb]) {
      let caught: unknown;
      try {
        parseProfileText(text, { file: FILE, profileName: 'fuzz' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ProfileError);
      expect((caught as ProfileError).code).toBe('profile_yaml_invalid');
      expect((caught as ProfileError).message).not.toMatch(/undefined_anchor_name|sk_planted/);
    }
  });
});
