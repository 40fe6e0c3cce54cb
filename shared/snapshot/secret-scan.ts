// The secret scanner behind secrets.ts: gitleaks' rule set (as data, secret-rules.json) plus a few of our own, run in linear time over bounded chunks.
import RULE_DATA from './secret-rules.json';

interface RegexData {
  source: string;
  flags: string;
}
interface AllowlistData {
  target: string;
  regexes?: RegexData[];
  stopwords?: string[];
}
interface RuleData {
  id: string;
  source: string;
  flags: string;
  keywords: string[];
  secretGroup?: number;
  entropy?: number;
  allowlists?: AllowlistData[];
}

interface Allowlist {
  target: string;
  regexes: RegExp[];
  stopwords: string[];
}
interface Rule {
  id: string;
  re: RegExp;
  keywords: string[];
  secretGroup: number | null;
  entropy: number;
  allowlists: Allowlist[];
}

/** One secret found in a text: where it lies and the rule that found it. */
export interface SecretMatch {
  start: number;
  end: number;
  rule: string;
}

/** Text is scanned in windows of this size (with an overlap), so every rule's work is bounded by the window. */
const CHUNK = 64 * 1024;
const OVERLAP = 2 * 1024;
/** Past this many characters a value is not scanned: its tail is withheld instead (see redactSecrets). */
export const MAX_SCANNED_CHARS = 32 * 1024 * 1024;
/** No rule matches a secret in fewer characters than this. */
const MIN_SECRET_TEXT = 12;

// Our own rules, for shapes gitleaks leaves to its generic rule or misses (bounded quantifiers: linear time).
const OWN_RULES: RuleData[] = [
  {
    id: 'private-key-block',
    source: '-----BEGIN [A-Z ]{0,40}PRIVATE KEY( BLOCK)?-----',
    flags: '',
    keywords: ['-----begin'],
  },
  {
    id: 'wandb-api-key',
    source: '(?:wandb[_.-]?(?:api[_.-]?)?key|wandb_api_key)["\']?\\s{0,3}[=:]\\s{0,3}["\']?([0-9a-f]{40})\\b',
    flags: 'i',
    keywords: ['wandb'],
    secretGroup: 1,
  },
  // gitleaks allows AWS's documented example keys (…EXAMPLE); a store keeps no key of that shape at all.
  { id: 'aws-access-key-id', source: '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b', flags: '', keywords: ['akia', 'asia'] },
  { id: 'google-api-key', source: '\\bAIza[0-9A-Za-z_-]{30,64}', flags: '', keywords: ['aiza'] },
  {
    id: 'github-fine-grained-token',
    source: '\\bgithub_pat_[A-Za-z0-9_]{20,256}',
    flags: '',
    keywords: ['github_pat_'],
  },
  { id: 'openai-style-key', source: '\\bsk-[A-Za-z0-9_-]{20,256}', flags: '', keywords: ['sk-'] },
  { id: 'huggingface-token', source: '\\bhf_[A-Za-z0-9]{20,256}', flags: '', keywords: ['hf_'] },
  { id: 'github-token', source: '\\bgh[pousr]_[A-Za-z0-9]{20,256}', flags: '', keywords: ['gh'] },
  { id: 'gitlab-token', source: '\\bglpat-[A-Za-z0-9_-]{16,256}', flags: '', keywords: ['glpat-'] },
  { id: 'slack-token', source: '\\bxox[abposr]-[A-Za-z0-9-]{10,256}', flags: '', keywords: ['xox'] },
  {
    id: 'jwt',
    source: '\\beyJ[A-Za-z0-9_-]{8,4096}\\.eyJ[A-Za-z0-9_-]{8,4096}\\.[A-Za-z0-9_-]{0,4096}',
    flags: '',
    keywords: ['eyj'],
  },
  {
    // A command-line option named like a credential with its value after a space (--wandb-key 0123…).
    id: 'credential-option',
    source: '(?<![\\w-])--?[\\w.-]{0,30}(?:key|token|secret|passw(?:or)?d)[ =]["\']?([^\\s"\']{16,256})',
    flags: 'i',
    keywords: ['key', 'token', 'secret', 'passw'],
    secretGroup: 1,
    entropy: 3.5,
  },
  {
    id: 'password-assignment',
    source: '(?:password|passwd|pwd|secret|token|api[_-]?key)["\']?\\s{0,3}[=:]\\s{0,3}["\']?([^\\s"\'&;]{6,256})',
    flags: 'i',
    keywords: ['pass', 'pwd', 'secret', 'token', 'key'],
    secretGroup: 1,
    entropy: 2.5,
  },
];

function compileAllowlist(a: AllowlistData): Allowlist {
  return {
    target: a.target,
    regexes: (a.regexes ?? []).map((r) => new RegExp(r.source, r.flags)),
    stopwords: (a.stopwords ?? []).map((s) => s.toLowerCase()),
  };
}

let compiled: { rules: Rule[]; global: Allowlist; byBigram: Map<number, string[]> } | null = null;

function rules(): { rules: Rule[]; global: Allowlist; byBigram: Map<number, string[]> } {
  if (compiled) return compiled;
  const data = RULE_DATA as { rules: RuleData[]; globalAllowlist: AllowlistData };
  const all = [...data.rules, ...OWN_RULES].map((r): Rule => ({
    id: r.id,
    re: new RegExp(r.source, `${r.flags.replace('g', '')}g`),
    keywords: r.keywords,
    secretGroup: r.secretGroup ?? null,
    entropy: r.entropy ?? 0,
    allowlists: (r.allowlists ?? []).map(compileAllowlist),
  }));
  // Keywords by their first two characters: one pass over a text finds every keyword in it (none is shorter).
  const byBigram = new Map<number, string[]>();
  for (const k of new Set(all.flatMap((r) => r.keywords))) {
    const key = k.charCodeAt(0) * 65536 + k.charCodeAt(1);
    const list = byBigram.get(key) ?? [];
    list.push(k);
    byBigram.set(key, list);
  }
  compiled = { rules: all, global: compileAllowlist(data.globalAllowlist), byBigram };
  return compiled;
}

/** The rule keywords present in a lower-cased text. */
function keywordsIn(lower: string, byBigram: Map<number, string[]>): Set<string> {
  const present = new Set<string>();
  for (let i = 0; i + 1 < lower.length; i++) {
    const list = byBigram.get(lower.charCodeAt(i) * 65536 + lower.charCodeAt(i + 1));
    if (list === undefined) continue;
    for (const k of list) if (lower.startsWith(k, i)) present.add(k);
  }
  return present;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function allowed(list: Allowlist, secret: string, match: string, line: string): boolean {
  const target = list.target === 'match' ? match : list.target === 'line' ? line : secret;
  if (list.regexes.some((re) => re.test(target))) return true;
  const lower = secret.toLowerCase();
  return list.stopwords.some((w) => lower.includes(w));
}

function lineAround(text: string, start: number, end: number): string {
  const from = text.lastIndexOf('\n', start) + 1;
  const to = text.indexOf('\n', end);
  return text.slice(from, to < 0 ? text.length : to);
}

function scanChunk(chunk: string, offset: number, out: SecretMatch[]): void {
  const { rules: all, global, byBigram } = rules();
  const present = keywordsIn(chunk.toLowerCase(), byBigram);
  if (present.size === 0) return;
  for (const rule of all) {
    if (rule.keywords.length > 0 && !rule.keywords.some((k) => present.has(k))) continue;
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(chunk); m !== null; m = rule.re.exec(chunk)) {
      if (m[0].length === 0) {
        rule.re.lastIndex++;
        continue;
      }
      const secret = (rule.secretGroup !== null ? m[rule.secretGroup] : m.slice(1).find((g) => g)) ?? m[0];
      if (!secret) continue;
      if (rule.entropy > 0 && shannonEntropy(secret) < rule.entropy) continue;
      const at = m.index + Math.max(0, m[0].indexOf(secret));
      const line = lineAround(chunk, m.index, m.index + m[0].length);
      if (rule.allowlists.some((a) => allowed(a, secret, m[0], line))) continue;
      if (allowed(global, secret, m[0], line)) continue;
      out.push({ start: offset + at, end: offset + at + secret.length, rule: rule.id });
    }
  }
}

/** Credentials in a URL's userinfo (scheme://user:password@host), found without a backtracking regex. */
function scanUrlCredentials(text: string, out: SecretMatch[]): void {
  for (let i = text.indexOf('://'); i >= 0; i = text.indexOf('://', i + 3)) {
    let j = i + 3;
    const limit = Math.min(text.length, j + 512);
    let colon = -1;
    while (j < limit && !'/@?#'.includes(text[j]!) && !/\s/.test(text[j]!)) {
      if (text[j] === ':' && colon < 0) colon = j;
      j++;
    }
    if (text[j] === '@' && colon > i + 3 && j > colon + 1) out.push({ start: colon + 1, end: j, rule: 'url-password' });
  }
}

/** Every secret in a text (scanned up to MAX_SCANNED_CHARS), in order, overlaps merged. */
export function findSecrets(text: string): SecretMatch[] {
  if (text.length < MIN_SECRET_TEXT && !text.includes('://')) return [];
  const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text;
  const found: SecretMatch[] = [];
  for (let at = 0; at < scanned.length; at += CHUNK) scanChunk(scanned.slice(at, at + CHUNK + OVERLAP), at, found);
  scanUrlCredentials(scanned, found);
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: SecretMatch[] = [];
  for (const m of found) {
    const last = merged.at(-1);
    if (last && m.start <= last.end) last.end = Math.max(last.end, m.end);
    else merged.push({ ...m });
  }
  return merged;
}
