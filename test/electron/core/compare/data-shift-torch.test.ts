// Two torch state dicts compared through Debian's real torch (weights_only=True): the tensor a fine-tune changed, those it left alone, one only the newer model has; a whole pickled module is refused by weights_only and reported as not loading.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeDataShift } from '../../../../electron/core/compare';
import type { FileShift, ModelShift } from '../../../../shared/compare/data-shift-model';
import { snapshotOver } from '../../../helpers/data-shift-fixtures';
import { tempCore } from '../../../helpers/store';
import { SYSTEM_PYTHON, tempDir } from '../../../helpers/temp';

const analyze = { key: null, unpickle: false, mode: 'analyze' as const };

function model(files: readonly FileShift[], p: string): ModelShift {
  const f = files.find((x) => x.path === p);
  expect(f?.status, f?.note ?? `no ${p}`).toBe('ok');
  if (f?.detail?.kind !== 'model') throw new Error('not a model');
  return f.detail;
}

describe('data shift of torch models', () => {
  it('compares state dicts tensor by tensor, and reports a pickled module that weights_only refuses', async () => {
    const ctx = tempCore();
    const da = tempDir();
    const db = tempDir();
    // one interpreter start writes both versions (torch takes seconds to import)
    execFileSync(
      SYSTEM_PYTHON,
      [
        '-W',
        'ignore',
        '-c',
        `import sys, torch
torch.manual_seed(1)
net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
torch.save(net.state_dict(), sys.argv[1] + "/weights.pt")
torch.save(net, sys.argv[1] + "/module.pt")
# the fine-tuned version: the last layer moved, a new head added
with torch.no_grad():
    net[2].weight.add_(torch.tensor([[0.5, 0.0, 0.0]]))
sd = net.state_dict()
sd["head.weight"] = torch.ones(2, 1)
torch.save(sd, sys.argv[2] + "/weights.pt")
torch.save(net, sys.argv[2] + "/module.pt")`,
        da,
        db,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const a = await snapshotOver({ out: da });
    const b = await snapshotOver({ out: db });
    const shift = await computeDataShift(ctx, a, b, analyze);
    const m = model(shift.files, 'weights.pt');
    expect(m.format).toBe('torch');
    expect(m.typeA).toBe('collections.OrderedDict');
    const byName = new Map(m.params.map((p) => [p.name, p]));
    expect([...byName.keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', 'head.weight']);
    expect(byName.get('0.weight')).toMatchObject({ status: 'same', shapeA: [3, 4], dtypeA: 'float32', maxAbsDiff: 0 });
    expect(byName.get('2.bias')).toMatchObject({ status: 'same' });
    const moved = byName.get('2.weight')!;
    expect(moved).toMatchObject({ status: 'changed', shapeA: [1, 3], shapeB: [1, 3], beyondTolerance: 1, elements: 3 });
    expect(moved.maxAbsDiff!).toBeCloseTo(0.5, 5);
    expect(byName.get('head.weight')).toMatchObject({ status: 'only-b', shapeB: [2, 1] });

    // a whole module is a pickle of code, which weights_only=True will not load: said so, not loaded
    const module = shift.files.find((f) => f.path === path.basename('module.pt'))!;
    expect(module.status).toBe('unreadable');
    expect(module.note).toMatch(/run A's model does not load: \w+/);
  }, 60_000);
});
