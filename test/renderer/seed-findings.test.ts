// The Run view's seed-scan findings: risks first, the code line shown with the called name marked.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SeedFindings } from '../../renderer/views/runs/seed-findings';

describe('SeedFindings', () => {
  it('lists risks before seeds and marks the call at the finding column in its code line', () => {
    const html = renderToStaticMarkup(
      createElement(SeedFindings, {
        root: '/p',
        findings: [
          { file: 'train.py', line: 3, column: 1, rule: 'torch-manual-seed', kind: 'seed', message: 'sets a seed' },
          {
            file: 'train.py',
            line: 8,
            column: 14,
            rule: 'random-state-missing',
            kind: 'risk',
            message: 'RandomForestClassifier() without random_state',
            code: '    forest = RandomForestClassifier(n_estimators=5) <b>',
            fix: 'pass random_state=SEED (an int)',
          },
        ],
      }),
    );
    expect(html.indexOf('random-state-missing')).toBeLessThan(html.indexOf('torch-manual-seed'));
    expect(html).toContain('train.py:8:14');
    expect(html).toContain(
      'forest = <mark data-testid="finding-mark">RandomForestClassifier</mark>(n_estimators=5) &lt;b&gt;',
    );
    expect(html).toContain('fix: pass random_state=SEED (an int)');
    // an old snapshot without column or code still shows
    expect(renderToStaticMarkup(createElement(SeedFindings, { root: null, findings: [] }))).toContain('no findings');
  });
});
