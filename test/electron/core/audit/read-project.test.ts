// The audit form's project preview (readProject) given a script, as `reproscope audit train.py` takes one.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../../../electron/core/handlers';
import { tempCore } from '../../../helpers/store';
import { gitRepo, SYSTEM_PYTHON } from '../../../helpers/temp';

describe('reading a project for the audit form', () => {
  it('takes a .py script as its folder with that entry point, which then audits as the CLI audits it', async () => {
    const repo = gitRepo({
      'train.py': 'import json\njson.dump({"accuracy": 0.9}, open("metrics.json", "w"))\n',
      MLproject:
        'name: demo\nentry_points:\n  main:\n    parameters:\n      seed: {type: float, default: 1}\n    command: "python train.py"\n',
    });
    const handlers = createHandlers(tempCore());
    const info = await handlers.readProject({ project: path.join(repo, 'train.py') });
    if (!info.ok) throw new Error(info.error.message);
    expect(info.value).toMatchObject({ name: 'demo', dir: repo, script: 'train.py' });
    // the undeclared script first, as MLflow runs it; the declared entry points after it
    expect(info.value.entryPoints.map((e) => [e.name, e.command])).toEqual([
      ['train.py', 'python train.py'],
      ['main', 'python train.py'],
    ]);
    expect(info.value.seedParameters).toEqual({ 'train.py': [], main: ['seed'] });

    // what the form then sends: the folder and the script's entry point
    const plan = await handlers.startAudit({
      project: info.value.dir,
      entryPoint: 'train.py',
      python: SYSTEM_PYTHON,
      repeats: 2,
      dryRun: true,
    });
    if (!plan.ok) throw new Error(plan.error.message);
    expect(plan.value.command).toBe('python train.py');

    // a folder is read as before; another kind of file is refused with what to give instead
    const folder = await handlers.readProject({ project: repo });
    expect(folder.ok && folder.value).toMatchObject({ script: null, entryPoints: [{ name: 'main' }] });
    fs.writeFileSync(path.join(repo, 'data.csv'), 'a,b\n');
    const csv = await handlers.readProject({ project: path.join(repo, 'data.csv') });
    if (csv.ok) throw new Error('a .csv file was read as a project');
    expect(csv.error.code).toBe('PROJECT_INVALID');
    expect(csv.error.message).toContain('is a file, not a project folder');
  }, 60_000);
});
