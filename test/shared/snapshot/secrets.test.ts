// The secret filter: only allowlisted variables kept, credential-looking values withheld whatever their name.
import { describe, expect, it } from 'vitest';
import { filterEnvironment, looksLikeSecret, redactArgv, stripUrlCredentials } from '../../../shared/snapshot/secrets';

describe('the secret filter', () => {
  it('records only allowlisted variables and the names asked for', () => {
    const { env } = filterEnvironment(
      { OMP_NUM_THREADS: '4', HOME: '/root', PATH: '/usr/bin', MY_FLAG: 'on', PYTHONHASHSEED: '0' },
      ['MY_FLAG'],
    );
    expect(env).toEqual({ OMP_NUM_THREADS: '4', MY_FLAG: 'on', PYTHONHASHSEED: '0' });
  });

  it('withholds a value that looks like a credential whatever its name', () => {
    const { env, withheld } = filterEnvironment(
      {
        XLA_FLAGS: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
        LANG: 'C.UTF-8',
        EXTRA: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'short',
      },
      ['EXTRA', 'AWS_SECRET_ACCESS_KEY'],
    );
    expect(env).toEqual({ LANG: 'C.UTF-8' });
    expect(withheld.sort()).toEqual(['AWS_SECRET_ACCESS_KEY', 'EXTRA', 'XLA_FLAGS']);
  });

  it.each([
    ['sk-proj-aB3dE5fG7hI9jK1lM3nO5pQ7', true],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N', true],
    ['https://user:hunter2@example.com/repo.git', true],
    ['xoxb-123456789012-abcdefghij', true],
    ['Zx8Kq2Lm9Pw4Rt7Yb3Nc6Vd1Hs5Jg0Fa', true],
    ['0.001', false],
    ['/home/user/data/train.csv', false],
    ['3f786850e387550fdab836ed7e6dc881de23001b', false], // a git commit is not a secret
    ['C.UTF-8', false],
    [':4096:8', false],
  ])('looksLikeSecret(%s) is %s', (value, expected) => {
    expect(looksLikeSecret(value)).toBe(expected);
  });

  it('strips credentials from URLs and keeps the rest', () => {
    expect(stripUrlCredentials('https://oauth2:tok3n@gitlab.com/org/repo.git')).toBe('https://gitlab.com/org/repo.git');
    expect(stripUrlCredentials('git@github.com:org/repo.git')).toBe('git@github.com:org/repo.git');
    expect(stripUrlCredentials('https://github.com/org/repo.git')).toBe('https://github.com/org/repo.git');
  });

  it('redacts secret flags and secret-looking values in a command line', () => {
    expect(
      redactArgv([
        'python',
        'train.py',
        '--api-key',
        'abc',
        '--token=xyz',
        '--lr',
        '0.1',
        'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      ]),
    ).toEqual(['python', 'train.py', '--api-key', '<redacted>', '--token=<redacted>', '--lr', '0.1', '<redacted>']);
  });
});
