/**
 * The secret filter, the one entry point for keeping secrets out of the store. Environment variables
 * are recorded by allowlist only; any value that looks like a credential is withheld whatever its
 * name; and every string that enters the store goes through one redaction pass (redactSecrets /
 * redactDeep) driven by gitleaks' rule set kept as data (secret-rules.json) plus a few rules of ours.
 */
import { emptyRecord, hasName, ownValue } from '../records';
import { findSecrets, MAX_SCANNED_CHARS, shannonEntropy } from './secret-scan';

export { findSecrets, type SecretMatch } from './secret-scan';

/** Environment variables that change results and are recorded by default. */
export const RECORDED_ENV_VARS = [
  'PYTHONHASHSEED',
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'OPENBLAS_NUM_THREADS',
  'NUMEXPR_NUM_THREADS',
  'VECLIB_MAXIMUM_THREADS',
  'OPENBLAS_CORETYPE',
  'MKL_CBWR',
  'KMP_DETERMINISTIC_REDUCTION',
  'CUDA_VISIBLE_DEVICES',
  'CUBLAS_WORKSPACE_CONFIG',
  'TF_DETERMINISTIC_OPS',
  'TF_CUDNN_DETERMINISTIC',
  'NVIDIA_TF32_OVERRIDE',
  'PYTORCH_CUDA_ALLOC_CONF',
  'XLA_FLAGS',
  'LANG',
  'LC_ALL',
  'TZ',
] as const;

/** Names that say the value is a credential (a service's `-key` included: --wandb-key, HF_KEY…). */
const SECRET_NAME =
  /(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth|(wandb|openai|hf|huggingface|comet|neptune|aws|gcp|azure|anthropic|github|gitlab|kaggle)[_.-]?key)/i;

/** Whether a value looks like a credential: a known token shape (any rule), or a long random-looking string. */
export function looksLikeSecret(value: string): boolean {
  if (value.length > MAX_SCANNED_CHARS) return true; // too large to scan: withheld rather than trusted
  if (findSecrets(value).length > 0) return true;
  // A long unbroken token of mixed letters and digits with high entropy is most likely a key.
  for (const token of value.split(/[\s,;]+/)) {
    if (
      token.length >= 24 &&
      /^[A-Za-z0-9+/=_-]+$/.test(token) &&
      /[A-Za-z]/.test(token) &&
      /\d/.test(token) &&
      !/^[0-9a-f]{40}$/.test(token) &&
      !/^[0-9a-f]{64}$/.test(token) &&
      token.length <= 4096 &&
      shannonEntropy(token) > 4.2
    ) {
      return true;
    }
  }
  return false;
}

/** Whether a variable or parameter name says its value is a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Removes user and password from a URL (https://user:tok@host/x → https://host/x); other text is returned as is. */
export function stripUrlCredentials(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*@)(.*)$/i.exec(url);
  if (m) return `${m[1]}${m[3]}`;
  return url;
}

/** Picks the allowlisted variables (plus extra names) from an environment, withholding values that look secret. */
export function filterEnvironment(
  env: Record<string, string | undefined>,
  extraNames: readonly string[] = [],
): { env: Record<string, string>; withheld: string[] } {
  const out = emptyRecord<string>();
  const withheld: string[] = [];
  for (const name of [...RECORDED_ENV_VARS, ...extraNames]) {
    const value = ownValue(env, name);
    if (value === undefined || hasName(out, name)) continue;
    if (looksLikeSecret(value) || isSecretName(name)) withheld.push(name);
    else out[name] = value;
  }
  return { env: out, withheld: [...new Set(withheld)] };
}

/** The placeholder stored in place of a withheld value. */
export const REDACTED = '<redacted>';

/** Commands whose `-p VALUE` / `-pVALUE` is a password (not a port, as for most others). */
const PASSWORD_P_COMMANDS = new Set(['mysql', 'mysqldump', 'mysqladmin', 'mariadb', 'sshpass']);

/** Redacts secrets from a command line: values of flags named like credentials, and values that look secret. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  const passwordP = argv.some((a) => PASSWORD_P_COMMANDS.has(a.split('/').at(-1) ?? ''));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (passwordP && /^-p.+/s.test(arg)) {
      out.push(`-p${REDACTED}`);
      continue;
    }
    if (passwordP && argv[i - 1] === '-p') {
      out.push(REDACTED);
      continue;
    }
    const eq = /^(--?[^=]+)=(.*)$/s.exec(arg);
    if (eq && (isSecretName(eq[1]!) || looksLikeSecret(eq[2]!))) {
      out.push(`${eq[1]}=${REDACTED}`);
      continue;
    }
    const prev = argv[i - 1];
    if (
      prev !== undefined &&
      /^--?[A-Za-z]/.test(prev) &&
      !prev.includes('=') &&
      isSecretName(prev) &&
      !arg.startsWith('-')
    ) {
      out.push(REDACTED);
      continue;
    }
    out.push(looksLikeSecret(arg) ? (stripUrlCredentials(arg) === arg ? REDACTED : stripUrlCredentials(arg)) : arg);
  }
  return out;
}

/** A text with its secrets replaced by `<redacted:rule>`, and the rules that withheld something. */
export function redactSecrets(text: string): { text: string; rules: string[] } {
  const found = findSecrets(text);
  const tooLong = text.length > MAX_SCANNED_CHARS;
  if (found.length === 0 && !tooLong) return { text, rules: [] };
  let out = '';
  let at = 0;
  for (const m of found) {
    out += `${text.slice(at, m.start)}<redacted:${m.rule}>`;
    at = m.end;
  }
  const end = tooLong ? MAX_SCANNED_CHARS : text.length;
  out += text.slice(at, Math.max(at, end));
  if (tooLong) out += `<withheld: ${text.length - MAX_SCANNED_CHARS} more characters, not scanned for secrets>`;
  const rules = [...new Set(found.map((m) => m.rule))];
  return { text: out, rules: tooLong ? [...rules, 'unscanned-tail'] : rules };
}

/** Fields that hold hashes and ids (a commit's 40 hex digits are not a key); they are not scanned. */
const UNSCANNED_KEYS = new Set(['sha256', 'rootHash', 'contentHash', 'commit', 'digest', 'id', 'auditId', 'runId']);

/** What a redaction pass withheld: the path of each string changed (e.g. `process.argv.3`) and the rule. */
export interface Withheld {
  path: string;
  rules: string[];
}

/**
 * Redacts every string in a JSON-like value (objects, arrays, strings; numbers and booleans pass), in
 * place, and says where: the one pass every record takes before it enters the store.
 */
export function redactDeep(value: unknown, withheld: Withheld[] = [], at = ''): Withheld[] {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') {
        const r = redactSecrets(v);
        if (r.rules.length > 0) {
          value[i] = r.text;
          withheld.push({ path: `${at}${i}`, rules: r.rules });
        }
      } else if (v !== null && typeof v === 'object') redactDeep(v, withheld, `${at}${i}.`);
    }
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (typeof v === 'string') {
        if (UNSCANNED_KEYS.has(key)) continue;
        const r = redactSecrets(v);
        if (r.rules.length > 0) {
          obj[key] = r.text;
          withheld.push({ path: `${at}${key}`, rules: r.rules });
        }
      } else if (v !== null && typeof v === 'object') redactDeep(v, withheld, `${at}${key}.`);
    }
  }
  return withheld;
}

/** One warning line saying what a redaction pass withheld, or null when nothing was. */
export function withheldSummary(withheld: readonly Withheld[]): string | null {
  if (withheld.length === 0) return null;
  const rules = [...new Set(withheld.flatMap((w) => w.rules))].sort();
  const paths = withheld.map((w) => w.path);
  return `process: ${withheld.length} value${withheld.length === 1 ? '' : 's'} looked like secrets and were withheld before storing (${rules.join(', ')}): ${paths.slice(0, 10).join(', ')}${paths.length > 10 ? ', …' : ''}`;
}

/** The redaction pass for a record with a `warnings` list (a snapshot): secrets withheld in place, and a warning saying so. */
export function redactRecord<T extends { warnings: string[] }>(record: T): T {
  const summary = withheldSummary(redactDeep(record));
  if (summary !== null && !record.warnings.includes(summary)) record.warnings.push(summary);
  return record;
}
