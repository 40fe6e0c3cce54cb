/**
 * Measures the seed scan on a labelled corpus (test/fixtures/seed-scan): each top-level file or
 * folder is scanned as a project of its own in one Python process, and the findings are scored
 * against the `# expect: rule` labels, per rule and overall. Used by the corpus test and by
 * `npm run bench seed-scan`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SeedFindingSchema, type SeedFinding } from '../../shared/snapshot/snapshot';
import { SEED_SCAN_SCRIPT } from './seed-scan-script';

const DRIVER_HEAD = String.raw`
import sys, os, json, shutil, tempfile
out = {"errors": [], "scan": None}
`;
const DRIVER_TAIL = String.raw`
corpus = sys.argv[1]
result = {}
work = tempfile.mkdtemp(prefix="seed-corpus-")
try:
    for item in sorted(os.listdir(corpus)):
        src = os.path.join(corpus, item)
        if item.startswith(".") or not (item.endswith(".py") or os.path.isdir(src)):
            continue
        dst = os.path.join(work, item + ".d")
        if os.path.isdir(src):
            shutil.copytree(src, dst)
        else:
            os.makedirs(dst)
            shutil.copy(src, os.path.join(dst, item))
        result[item] = scan_project(dst, {})["findings"]
finally:
    shutil.rmtree(work, ignore_errors=True)
sys.stdout.write(json.dumps(result))
`;

const CorpusOutputSchema = z.record(z.string(), z.array(SeedFindingSchema));

/** Findings per corpus item (a file's findings are named by the file, a folder's by folder/relative path). */
export type CorpusFindings = Record<string, SeedFinding[]>;

/** Runs the scan over every item of the corpus with the given interpreter. */
export function scanCorpus(python: string, corpusDir: string): Promise<CorpusFindings> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      ['-I', '-c', [DRIVER_HEAD, SEED_SCAN_SCRIPT, DRIVER_TAIL].join('\n'), corpusDir],
      { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${python}: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
        resolve(CorpusOutputSchema.parse(JSON.parse(stdout)));
      },
    );
  });
}

/** One labelled or found point: `item/file:line:rule`. */
function key(item: string, file: string, line: number, rule: string): string {
  return `${item}/${file}:${line}:${rule}`;
}

function pythonFiles(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...pythonFiles(dir, rel));
    else if (e.name.endsWith('.py')) out.push(rel);
  }
  return out;
}

/** The expected findings of the corpus, read from `expect: rule[, rule]` comments. */
export function readCorpusLabels(corpusDir: string): Set<string> {
  const labels = new Set<string>();
  for (const item of fs.readdirSync(corpusDir).sort()) {
    const full = path.join(corpusDir, item);
    const isDir = fs.statSync(full).isDirectory();
    if (!isDir && !item.endsWith('.py')) continue;
    const files = isDir ? pythonFiles(full) : [item];
    for (const rel of files) {
      const lines = fs.readFileSync(isDir ? path.join(full, rel) : full, 'utf8').split('\n');
      lines.forEach((text, i) => {
        const m = /#.*\bexpect:\s*([a-z0-9, -]+)\s*$/.exec(text);
        if (!m) return;
        for (const rule of m[1]!
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean))
          labels.add(key(item, rel, i + 1, rule));
      });
    }
  }
  return labels;
}

/** True and false positives and misses of one rule, with precision and recall (1 where nothing was to find). */
export interface RuleScore {
  rule: string;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

/** The corpus score: per rule, overall, the unexpected and missed points, and risks found in clean files. */
export interface CorpusScore {
  rules: RuleScore[];
  overall: RuleScore;
  unexpected: string[];
  missed: string[];
  cleanRisks: string[];
  files: number;
}

function score(rule: string, tp: number, fp: number, fn: number): RuleScore {
  return {
    rule,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
  };
}

/** Scores findings against labels. */
export function scoreCorpus(labels: Set<string>, findings: CorpusFindings): CorpusScore {
  const found = new Set<string>();
  const cleanRisks: string[] = [];
  let files = 0;
  for (const [item, list] of Object.entries(findings)) {
    files += new Set(list.map((f) => f.file)).size || 1;
    for (const f of list) {
      found.add(key(item, f.file, f.line, f.rule));
      if (item.startsWith('clean-') && f.kind === 'risk') cleanRisks.push(key(item, f.file, f.line, f.rule));
    }
  }
  const ruleOf = (k: string): string => k.slice(k.lastIndexOf(':') + 1);
  const rules = new Set([...labels, ...found].map(ruleOf));
  const per = [...rules].sort().map((rule) => {
    const l = [...labels].filter((k) => ruleOf(k) === rule);
    const f = [...found].filter((k) => ruleOf(k) === rule);
    const tp = f.filter((k) => labels.has(k)).length;
    return score(rule, tp, f.length - tp, l.length - tp);
  });
  const sum = (pick: (r: RuleScore) => number): number => per.reduce((a, r) => a + pick(r), 0);
  return {
    rules: per,
    overall: score(
      'overall',
      sum((r) => r.truePositives),
      sum((r) => r.falsePositives),
      sum((r) => r.falseNegatives),
    ),
    unexpected: [...found].filter((k) => !labels.has(k)).sort(),
    missed: [...labels].filter((k) => !found.has(k)).sort(),
    cleanRisks,
    files,
  };
}

/** The score as a fixed-width table, one rule a line. */
export function formatCorpusScore(s: CorpusScore): string {
  const row = (r: RuleScore): string =>
    `${r.rule.padEnd(30)} ${String(r.truePositives).padStart(4)} ${String(r.falsePositives).padStart(4)} ${String(r.falseNegatives).padStart(4)}  ${r.precision.toFixed(2).padStart(9)} ${r.recall.toFixed(2).padStart(6)}`;
  return [`${'rule'.padEnd(30)}   tp   fp   fn  precision recall`, ...s.rules.map(row), row(s.overall)].join('\n');
}

/** Scans one folder as a project with the given interpreter (no cache, no config): its findings. */
export function scanFolder(python: string, dir: string): Promise<SeedFinding[]> {
  const tail = String.raw`
sys.stdout.write(json.dumps(scan_project(sys.argv[1], {})["findings"]))
`;
  return new Promise((resolve, reject) => {
    execFile(
      python,
      ['-I', '-c', [DRIVER_HEAD, SEED_SCAN_SCRIPT, tail].join('\n'), dir],
      { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${python}: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
        resolve(z.array(SeedFindingSchema).parse(JSON.parse(stdout)));
      },
    );
  });
}
