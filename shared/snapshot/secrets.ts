/**
 * The secret filter: secrets never enter the store. Environment variables are recorded by
 * allowlist only, and any value that looks like a credential is withheld whatever its name.
 */

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

const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /\bASIA[0-9A-Z]{16}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/,
  /\bglpat-[A-Za-z0-9_-]{16,}\b/, // GitLab
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, // Slack
  /\bsk-[A-Za-z0-9_-]{20,}\b/, // OpenAI-style
  /\bhf_[A-Za-z0-9]{20,}\b/, // Hugging Face
  /\bAIza[0-9A-Za-z_-]{30,}\b/, // Google API key
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/, // JWT
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // URL with user:password
];

/** Names that say the value is a credential. */
const SECRET_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)/i;

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Whether a value looks like a credential: a known token shape, or a long random-looking string. */
export function looksLikeSecret(value: string): boolean {
  if (SECRET_PATTERNS.some((re) => re.test(value))) return true;
  // A long unbroken token of mixed letters and digits with high entropy is most likely a key.
  for (const token of value.split(/[\s,;]+/)) {
    if (
      token.length >= 24 &&
      /^[A-Za-z0-9+/=_-]+$/.test(token) &&
      /[A-Za-z]/.test(token) &&
      /\d/.test(token) &&
      !/^[0-9a-f]{40}$/.test(token) &&
      !/^[0-9a-f]{64}$/.test(token) &&
      entropy(token) > 4.2
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
  const out: Record<string, string> = {};
  const withheld: string[] = [];
  for (const name of [...RECORDED_ENV_VARS, ...extraNames]) {
    const value = env[name];
    if (value === undefined || name in out) continue;
    if (looksLikeSecret(value) || isSecretName(name)) withheld.push(name);
    else out[name] = value;
  }
  return { env: out, withheld: [...new Set(withheld)] };
}

/** The placeholder stored in place of a withheld value. */
export const REDACTED = '<redacted>';

/** Redacts secrets from a command line: values of flags named like credentials, and values that look secret. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
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
