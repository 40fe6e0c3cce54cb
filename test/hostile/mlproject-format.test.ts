// MLproject command rendering under hostile parameter values and names (issue 12, items 2 and 3), checked against MLflow's algorithm run by Debian's Python.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMlprojectCommand, type MlprojectEntryPoint } from '../../shared/mlflow/mlproject';
import { tempDir } from '../helpers/temp';
import { expectSameAsMlflow, mlflowRender, ourRender, type RenderCase } from './helpers/mlflow-render';

const VALUES = [
  '',
  'plain',
  'a b',
  'a;touch pwned;#',
  'x\ntouch pwned',
  "it's",
  'say "hi"',
  `both ' and "`,
  '$(touch pwned)',
  '`touch pwned`',
  '$HOME',
  'back\\slash',
  '\\$(touch pwned)',
  'tab\there',
  'cr\rlf',
  'bell\x07esc\x1b[31m',
  'del\x7f',
  'café',
  'naïve ünïcödé',
  '日本語',
  'emoji 😀 ok',
  '\u00a0nbsp',
  '\u2028line sep',
  '\u200bzero width',
  '\u0085next line',
  '\ud7ff',
  "'",
  '"',
  "''",
  '\'"\'"',
  '--flag=1',
  '0.5',
  '-1e-3',
  '{x}',
  '}{',
  '%s %d',
  'a|b&c>d<e',
  '!event',
  '~user',
  '*glob?',
];

const TEMPLATES = [
  'echo {x}',
  'echo {x!s}',
  'echo {x!r}',
  'echo {x!a}',
  'echo {x:>20}',
  'echo {x:<3}',
  'echo {x:^21}',
  'echo {x:*^9}',
  'echo {x:05}',
  'echo {x:0>7}',
  'echo {x:.3}',
  'echo {x:.0}',
  'echo {x:12.4s}',
  'echo {x!r:>30}',
  'echo {x!a:_<25}',
  'echo {x!r:.2}',
  'echo {x!s:s}',
  'echo {{x}} {x} {{{x}}}',
  'echo {x} {y!r}',
  'echo {x:=5}',
  'echo {x:+5}',
  'echo {x:#5}',
  'echo {x:,}',
  'echo {x:d}',
  'echo {x:5.}',
  'echo {x!z}',
  'echo {x!rr}',
  'echo {0}',
  'echo {}',
  'echo {x.upper}',
  'echo {x[0]}',
  'echo {x',
  'echo x}',
  'echo {z}',
];

describe('MLproject command rendering matches MLflow (str.format on shlex-quoted values)', () => {
  it(`renders ${VALUES.length * TEMPLATES.length} template × value pairs exactly as MLflow's compute_command, or refuses`, () => {
    const cases: RenderCase[] = [];
    for (const template of TEMPLATES)
      for (const value of VALUES) cases.push({ template, declared: { x: null, y: 'dflt' }, user: { x: value } });
    // Extra parameters are appended as --key value, quoted the same way.
    for (const value of VALUES) cases.push({ template: 'run {x}', declared: { x: '1' }, user: { extra: value } });
    const theirs = mlflowRender(cases);
    let same = 0;
    let refusedUnsafe = 0;
    cases.forEach((c, i) => {
      const ours = ourRender(c);
      expectSameAsMlflow(c, ours, theirs[i]!);
      if (ours.ok) same++;
      else if (ours.unsafe) refusedUnsafe++;
    });
    // Most pairs render; the safety refusals are the !r/!a/precision cases MLflow would hand to bash unquoted.
    expect(same).toBeGreaterThan(600);
    expect(refusedUnsafe).toBeGreaterThan(0);
  });

  it('the issue\'s injections do not run: "a;touch pwned;#" and a newline under !r, $( ) and backticks refused', () => {
    const dir = tempDir();
    const run = (template: string, value: string): { out: string | null; error: string | null } => {
      const r = ourRender({ template, declared: { x: null }, user: { x: value } });
      if (!r.ok) return { out: null, error: r.error };
      const res = spawnSync('bash', ['-c', r.command], { cwd: dir, encoding: 'utf8' });
      return { out: res.stdout, error: null };
    };
    expect(run('echo {x!r}', 'a;touch pwned;#').out).toBe("'a;touch pwned;#'\n");
    expect(run('echo {x!r}', 'x\ntouch pwned').out).toBe("'x\\ntouch pwned'\n");
    expect(run('echo {x!a}', 'a;touch pwned;#').out).toBe("'a;touch pwned;#'\n");
    expect(run('echo {x}', 'x\ntouch pwned').out).toBe('x\ntouch pwned\n');
    expect(run('echo {x:>25}', 'a;touch pwned;#').out).toBe('a;touch pwned;#\n');
    expect(run('echo {x!r}', '$(touch pwned)').error).toMatch(/bash unquoted/);
    expect(run('echo {x!r}', '`touch pwned`').error).toMatch(/bash unquoted/);
    expect(run('echo {x:.4}', 'a;touch pwned').error).toMatch(/bash unquoted/);
    expect(run('echo {x!r}', `a";touch pwned;"`).error).toMatch(/bash unquoted/);
    expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
  });
});

describe('parameter names MLflow would never log are refused (item 3)', () => {
  const entry: MlprojectEntryPoint = {
    name: 'main',
    parameters: [{ name: 'x', type: 'string', default: '1' }],
    command: 'echo {x}',
  };
  const render = (user: Record<string, string>): string =>
    renderMlprojectCommand(entry, user, { resolvePath: (v) => v }).command;

  it.each([
    'k;touch pwned;k',
    'a$(id)',
    'a`id`',
    'a\nb',
    'a|b',
    "a'b",
    '../up',
    '/abs',
    'a//b',
    'a/',
    '.',
    '',
    'x'.repeat(251),
  ])('refuses the key %j with a clear error', (key) => {
    expect(() => render({ [key]: 'v' })).toThrow(/is not one MLflow accepts/);
  });

  it('accepts what MLflow accepts: letters, digits, _ - . / and spaces, Unicode letters', () => {
    expect(render({ 'lr.rate': '0.1', 'opt/beta-1': '0.9', 'a b': 'c', größe: '3', x: '2' })).toBe(
      'echo 2 --lr.rate 0.1 --opt/beta-1 0.9 --a b c --größe 3',
    );
  });

  it('refuses a declared parameter name that is not one, whatever the source (an MLproject here)', () => {
    const bad: MlprojectEntryPoint = { ...entry, parameters: [{ name: 'k;id', type: 'string', default: '1' }] };
    expect(() => renderMlprojectCommand(bad, {}, { resolvePath: (v) => v })).toThrow(/entry point main.*k;id/);
  });
});
