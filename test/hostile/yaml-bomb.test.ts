// A YAML alias bomb in an MLproject (600 bytes, billions of values) is refused at once instead of freezing the reader and `serve` (issue 12, item 9).
import { describe, expect, it } from 'vitest';
import { parseMlproject } from '../../shared/mlflow/mlproject';

describe('YAML alias bombs', () => {
  it('refuses a billion-laughs MLproject with a clear error', () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = `${lines.join('\n')}\nentry_points:\n  main:\n    command: "echo {x}"\n`;
    expect(bomb.length).toBeLessThan(700);
    expect(() => parseMlproject(bomb, 'MLproject', () => false)).toThrow(/more than 20000 values through its aliases/);
  });

  it('still reads aliases used the ordinary way', () => {
    const text =
      'defaults: &d {type: float, default: 0.5}\nentry_points:\n  main:\n    parameters:\n      a: *d\n      b: *d\n    command: "echo {a} {b}"\n';
    const project = parseMlproject(text, 'MLproject', () => false);
    expect(project.entryPoints[0]!.parameters.map((p) => p.default)).toEqual(['0.5', '0.5']);
  });
});
