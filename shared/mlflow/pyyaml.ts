// YAML read as PyYAML's safe_load reads it, each value kept as its Python type so str() is reproduced exactly.
import { isAlias, isMap, isNode, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { ReproError } from '../errors';

/**
 * YAML read the way PyYAML's `yaml.safe_load` reads it (YAML 1.1), with each value kept as the
 * Python type it becomes, so that `str(value)` can be reproduced exactly. The `yaml` package parses
 * the syntax; scalars are resolved here with PyYAML's own implicit resolvers, because they differ
 * from every other YAML 1.1 reading (`1e-1` is a string to PyYAML: its floats need a dot and a signed
 * exponent; `-.5` is a string; `017` is octal; `09` is a string).
 */

/** A value as PyYAML would construct it. */
export type PyValue =
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; text: string }
  | { kind: 'map'; entries: [PyValue, PyValue][] }
  | { kind: 'seq'; items: PyValue[] };

const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const INT_RE =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP_RE =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

function constructInt(text: string): bigint {
  let value = text.replace(/_/g, '');
  let sign = 1n;
  if (value.startsWith('-')) sign = -1n;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  if (value === '0') return 0n;
  if (value.startsWith('0b')) return sign * BigInt(`0b${value.slice(2)}`);
  if (value.startsWith('0x')) return sign * BigInt(`0x${value.slice(2)}`);
  if (value.startsWith('0')) return sign * BigInt(`0o${value.slice(1) || '0'}`);
  if (value.includes(':')) {
    let total = 0n;
    for (const part of value.split(':')) total = total * 60n + BigInt(part);
    return sign * total;
  }
  return sign * BigInt(value);
}

function constructFloat(text: string): number {
  let value = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (value.startsWith('-')) sign = -1;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  if (value === '.inf') return sign * Infinity;
  if (value === '.nan') return NaN;
  if (value.includes(':')) {
    let total = 0;
    for (const part of value.split(':')) total = total * 60 + Number(part);
    return sign * total;
  }
  return sign * Number(value);
}

function constructTimestamp(text: string): string {
  const m =
    /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/.exec(
      text,
    );
  if (!m) return text;
  const pad = (s: string | undefined, n = 2): string => (s ?? '0').padStart(n, '0');
  const date = `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
  if (m[4] === undefined) return date;
  // str(datetime): microseconds only when non-zero, the offset as ±HH:MM when one was given
  const micro = (m[7] ?? '').slice(0, 6).padEnd(6, '0');
  let out = `${date} ${pad(m[4])}:${m[5]}:${m[6]}${Number(micro) !== 0 ? `.${micro}` : ''}`;
  if (m[8] === 'Z') out += '+00:00';
  else if (m[8]) out += `${m[9]}${pad(m[10])}:${pad(m[11])}`;
  return out;
}

/** Resolves a plain (unquoted) scalar's text the way PyYAML's implicit resolvers do. */
export function resolvePlainScalar(text: string): PyValue {
  if (NULL_RE.test(text)) return { kind: 'null' };
  if (BOOL_RE.test(text)) return { kind: 'bool', value: /^(?:yes|true|on)$/i.test(text) };
  if (INT_RE.test(text)) return { kind: 'int', value: constructInt(text) };
  if (FLOAT_RE.test(text)) return { kind: 'float', value: constructFloat(text) };
  if (TIMESTAMP_RE.test(text)) return { kind: 'date', text: constructTimestamp(text) };
  return { kind: 'str', value: text };
}

function explicit(tag: string, text: string): PyValue {
  switch (tag) {
    case 'tag:yaml.org,2002:str':
      return { kind: 'str', value: text };
    case 'tag:yaml.org,2002:int':
      return { kind: 'int', value: constructInt(text) };
    case 'tag:yaml.org,2002:float':
      return { kind: 'float', value: constructFloat(text) };
    case 'tag:yaml.org,2002:bool':
      return { kind: 'bool', value: /^(?:yes|true|on)$/i.test(text) };
    case 'tag:yaml.org,2002:null':
      return { kind: 'null' };
    default:
      return { kind: 'str', value: text };
  }
}

/** A scalar's text: the failsafe schema gives strings; a number or boolean (never seen there) is written as JavaScript would. */
function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

/** The most values one document may expand to: aliases can make a 600-byte file hold billions (an alias bomb). */
const MAX_NODES = 20_000;
let nodesLeft = MAX_NODES;

function convert(node: unknown, doc: Document, depth: number): PyValue {
  if (depth > 100) throw new Error('nesting too deep');
  if (--nodesLeft < 0)
    throw new Error(
      `it expands to more than ${MAX_NODES} values through its aliases (an alias bomb, or a file too large)`,
    );
  if (node === null || node === undefined) return { kind: 'null' };
  if (isAlias(node)) return convert(node.resolve(doc), doc, depth + 1);
  if (isScalar(node)) {
    const text = scalarText(node.value);
    if (node.tag && node.tag !== '!') return explicit(node.tag, text);
    return node.type === 'PLAIN' ? resolvePlainScalar(text) : { kind: 'str', value: text };
  }
  if (isMap(node)) {
    const own: [PyValue, PyValue][] = [];
    const merged: [PyValue, PyValue][] = [];
    for (const pair of node.items) {
      const key = convert(pair.key, doc, depth + 1);
      const value = convert(pair.value, doc, depth + 1);
      if (key.kind === 'str' && key.value === '<<' && isScalar(pair.key) && pair.key.type === 'PLAIN') {
        const sources = value.kind === 'seq' ? value.items : [value];
        for (const s of sources) if (s.kind === 'map') merged.push(...s.entries);
        continue;
      }
      own.push([key, value]);
    }
    // PyYAML's dict: the last value of a key wins, keeping the key's first position
    const entries: [PyValue, PyValue][] = [];
    const index = new Map<string, number>();
    for (const [k, v] of [...merged, ...own]) {
      const id = `${k.kind}:${pyStr(k)}`;
      const at = index.get(id);
      if (at === undefined) {
        index.set(id, entries.length);
        entries.push([k, v]);
      } else entries[at] = [entries[at]![0], v];
    }
    return { kind: 'map', entries };
  }
  if (isSeq(node)) return { kind: 'seq', items: node.items.map((i) => convert(i, doc, depth + 1)) };
  return { kind: 'str', value: isNode(node) ? node.toString() : scalarText(node) };
}

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';
/** The tags PyYAML's SafeConstructor knows; any other (`!r`, `!!python/object:…`) makes safe_load raise. */
const SAFE_TAGS = new Set(
  ['null', 'bool', 'int', 'float', 'binary', 'timestamp', 'omap', 'pairs', 'set', 'str', 'seq', 'map'].map(
    (t) => `${YAML_TAG_PREFIX}${t}`,
  ),
);

/** Loads YAML text as PyYAML's safe_load would; a syntax error is PROJECT_INVALID naming the file. */
export function loadPyYaml(text: string, label: string): PyValue {
  const doc = parseDocument(text, {
    version: '1.1',
    schema: 'failsafe',
    uniqueKeys: false,
    merge: false,
    prettyErrors: false,
    // warnings are answered below, not printed on the process's stderr
    logLevel: 'error',
  });
  if (doc.errors.length > 0) {
    throw new ReproError(
      'PROJECT_INVALID',
      `${label} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`,
      'Fix the YAML syntax; MLflow would refuse it too.',
    );
  }
  for (const w of doc.warnings) {
    const tag = w.code === 'TAG_RESOLVE_FAILED' ? /Unresolved tag: (\S+)/.exec(w.message)?.[1] : undefined;
    if (tag === undefined || SAFE_TAGS.has(tag)) continue;
    const shown = tag.startsWith(YAML_TAG_PREFIX) ? `!!${tag.slice(YAML_TAG_PREFIX.length)}` : tag;
    throw new ReproError(
      'PROJECT_INVALID',
      `${label} cannot be read: PyYAML's safe_load, which MLflow uses, has no constructor for the tag ${shown}` +
        ` (at line ${text.slice(0, w.pos[0]).split('\n').length})`,
      'Remove the tag; MLflow would refuse this file too.',
    );
  }
  try {
    nodesLeft = MAX_NODES;
    return convert(doc.contents, doc, 0);
  } catch (e) {
    throw new ReproError('PROJECT_INVALID', `${label} cannot be read: ${(e as Error).message}`, 'Simplify the YAML.');
  }
}

/** Python's repr of a float: the shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

function pyRepr(v: PyValue): string {
  if (v.kind === 'str') {
    const q = v.value.includes("'") && !v.value.includes('"') ? '"' : "'";
    const body = v.value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
    return `${q}${q === "'" ? body.replace(/'/g, "\\'") : body}${q}`;
  }
  if (v.kind === 'date')
    return v.text.includes(' ')
      ? `datetime.datetime(${v.text})`
      : `datetime.date(${v.text.split('-').map(Number).join(', ')})`;
  return pyStr(v);
}

/** Python's `str()` of a value PyYAML constructed. */
export function pyStr(v: PyValue): string {
  switch (v.kind) {
    case 'str':
      return v.value;
    case 'int':
      return v.value.toString();
    case 'float':
      return pyFloatRepr(v.value);
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'null':
      return 'None';
    case 'date':
      return v.text;
    case 'seq':
      return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'map':
      return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  }
}

/** The value of a key in a map (keys compared by their str()), or undefined. */
export function pyGet(map: PyValue, key: string): PyValue | undefined {
  if (map.kind !== 'map') return undefined;
  for (const [k, v] of map.entries) if (k.kind === 'str' && k.value === key) return v;
  return undefined;
}
