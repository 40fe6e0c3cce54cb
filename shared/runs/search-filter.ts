/** MLflow's run search syntax (`metrics.rmse < 0.8 and params.alpha = '0.5'`), parsed into conditions the store runs as SQL. */
import { ReproError } from '../errors';

/** What a key names: a metric's last value, a parameter, a tag or one of the run's own attributes. */
export type FilterKeyType = 'metric' | 'param' | 'tag' | 'attribute';

/** The attributes a filter or a sort may name (MLflow's names, plus reproscope's own columns). */
export const RUN_ATTRIBUTES = [
  'run_id',
  'run_name',
  'status',
  'start_time',
  'kind',
  'project',
  'commit',
  'audit_id',
  'command',
] as const;
/** One of the run's own attributes. */
export type RunAttribute = (typeof RUN_ATTRIBUTES)[number];

/** A key of a filter or a sort. */
export type FilterKey = { type: 'metric' | 'param' | 'tag'; name: string } | { type: 'attribute'; name: RunAttribute };

/** A comparison operator. */
export type FilterOperator =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

/** One condition; a filter is a list of them joined by AND (as in MLflow, which has no OR). */
export type FilterCondition =
  | { key: FilterKey; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: number | string }
  | { key: FilterKey; op: 'LIKE' | 'ILIKE'; value: string }
  | { key: FilterKey; op: 'IN' | 'NOT IN'; value: string[] }
  | { key: FilterKey; op: 'IS NULL' | 'IS NOT NULL'; value: null };

const PREFIXES: Record<string, FilterKeyType> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
};

/** MLflow's other spellings of attributes. */
const ATTRIBUTE_ALIASES: Record<string, RunAttribute> = {
  id: 'run_id',
  run_id: 'run_id',
  name: 'run_name',
  run_name: 'run_name',
  status: 'status',
  start_time: 'start_time',
  created: 'start_time',
  created_at: 'start_time',
  kind: 'kind',
  project: 'project',
  commit: 'commit',
  audit: 'audit_id',
  audit_id: 'audit_id',
  command: 'command',
};

type Token =
  | { t: 'ident'; v: string; quoted: boolean; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'number'; v: number; text: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'punct'; v: '(' | ')' | ',' | '.'; at: number };

const bad = (message: string, hint?: string): ReproError =>
  new ReproError(
    'INVALID_INPUT',
    `filter: ${message}`,
    hint ?? "Write conditions like metrics.rmse < 0.8 and params.alpha = '0.5' and tags.team LIKE '%vision%'.",
  );

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'" || c === '"' || c === '`') {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw bad(`the quote at character ${at + 1} is not closed`);
        const d = text[i]!;
        if (d === '\\' && i + 1 < text.length) {
          v += text[i + 1];
          i += 2;
        } else if (d === c && text[i + 1] === c) {
          v += c; // SQL's doubled quote
          i += 2;
        } else if (d === c) {
          i++;
          break;
        } else {
          v += d;
          i++;
        }
      }
      // a double-quoted or backticked text right after a dot is a key part (metrics."my metric"), as in MLflow
      const prev = out[out.length - 1];
      if (c === '`' || (c === '"' && prev?.t === 'punct' && prev.v === '.'))
        out.push({ t: 'ident', v, quoted: true, at });
      else out.push({ t: 'string', v, at });
      continue;
    }
    const num = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i.exec(text.slice(i));
    const prev = out[out.length - 1];
    if (num && !(prev?.t === 'punct' && prev.v === '.') && !(prev?.t === 'ident' && /^[+-]/.test(num[0]))) {
      out.push({ t: 'number', v: Number(num[0]), text: num[0], at });
      i += num[0].length;
      continue;
    }
    const op = /^(<=|>=|!=|<>|==|=|<|>)/.exec(text.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[0] === '<>' ? '!=' : op[0] === '==' ? '=' : op[0], at });
      i += op[0].length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '.') {
      out.push({ t: 'punct', v: c, at });
      i++;
      continue;
    }
    const word = /^[A-Za-z_][\w-]*/.exec(text.slice(i));
    if (word) {
      out.push({ t: 'ident', v: word[0], quoted: false, at });
      i += word[0].length;
      continue;
    }
    throw bad(`unexpected "${c}" at character ${at + 1}`);
  }
  return out;
}

const isWord = (tok: Token | undefined, word: string): boolean =>
  tok?.t === 'ident' && !tok.quoted && tok.v.toUpperCase() === word;

/** Reads a key (`metrics.rmse`, `params."a b"`, `attributes.status`, `run_name`) from tokens, advancing `pos`. */
function readKey(tokens: Token[], pos: { i: number }): FilterKey {
  const first = tokens[pos.i];
  if (first?.t !== 'ident')
    throw bad(`expected a key such as metrics.accuracy${first ? ` at character ${first.at + 1}` : ' at the end'}`);
  pos.i++;
  if (first.quoted) return attributeKey(first.v);
  const type = PREFIXES[first.v.toLowerCase()];
  const dot = tokens[pos.i];
  if (type && dot?.t === 'punct' && dot.v === '.') {
    pos.i++;
    // a name may itself hold dots (metrics.val.loss, tags.mlflow.user): read parts until an operator
    const parts: string[] = [];
    for (;;) {
      const part = tokens[pos.i];
      if (part?.t === 'ident') parts.push(part.v);
      else if (part?.t === 'number' && parts.length > 0) parts.push(part.text);
      else throw bad(`expected a name after "${first.v}."`);
      pos.i++;
      const next = tokens[pos.i];
      if (!(next?.t === 'punct' && next.v === '.')) break;
      pos.i++;
    }
    const name = parts.join('.');
    return type === 'attribute' ? attributeKey(name) : { type, name };
  }
  if (dot?.t === 'punct' && dot.v === '.')
    throw bad(
      `"${first.v}." is not a key prefix`,
      'Keys start with metrics., params., tags. or attributes. (for example metrics.accuracy).',
    );
  return attributeKey(first.v);
}

function attributeKey(name: string): FilterKey {
  const attr = ATTRIBUTE_ALIASES[name.toLowerCase()];
  if (!attr)
    throw bad(
      `"${name}" is not a run attribute`,
      `Name a metric as metrics.${name}, a parameter as params.${name} or a tag as tags.${name}; attributes are ${RUN_ATTRIBUTES.join(', ')}.`,
    );
  return { type: 'attribute', name: attr };
}

/** Parses a key on its own (`metrics.accuracy`, `params.C`, `start_time`), as a column or a sort names it. */
export function parseFilterKey(text: string): FilterKey {
  const tokens = tokenize(text);
  const pos = { i: 0 };
  const key = readKey(tokens, pos);
  if (pos.i !== tokens.length) throw bad(`"${text}" is not one key`, 'Name one key, such as metrics.accuracy.');
  return key;
}

/** A key written back in the syntax, quoting names that need it (`metrics.\`my metric\``). */
export function formatFilterKey(key: FilterKey): string {
  const prefix = { metric: 'metrics', param: 'params', tag: 'tags', attribute: 'attributes' }[key.type];
  const simple = key.name.split('.').every((p) => /^[A-Za-z_][\w-]*$/.test(p));
  return `${prefix}.${simple ? key.name : `\`${key.name.replace(/`/g, '``')}\``}`;
}

function readValue(tokens: Token[], pos: { i: number }, key: FilterKey): number | string {
  const tok = tokens[pos.i++];
  if (tok?.t === 'number') {
    if (key.type === 'param' || key.type === 'tag')
      throw bad(
        `${formatFilterKey(key)} is compared with text: quote the value ('${tok.text}')`,
        "Parameters and tags are text, as in MLflow: params.alpha = '0.5'.",
      );
    return tok.v;
  }
  if (tok?.t === 'string') {
    if (key.type === 'metric') {
      const n = Number(tok.v);
      if (tok.v.trim() === '' || Number.isNaN(n)) throw bad(`${formatFilterKey(key)} is a number; "${tok.v}" is not`);
      return n;
    }
    return tok.v;
  }
  throw bad(`expected a value after ${formatFilterKey(key)}${tok ? ` at character ${tok.at + 1}` : ''}`);
}

function readCondition(tokens: Token[], pos: { i: number }): FilterCondition {
  const key = readKey(tokens, pos);
  const tok = tokens[pos.i];
  if (tok?.t === 'op') {
    pos.i++;
    const op = tok.v as '=' | '!=' | '<' | '<=' | '>' | '>=';
    const value = readValue(tokens, pos, key);
    if (
      typeof value === 'string' &&
      op !== '=' &&
      op !== '!=' &&
      !(key.type === 'attribute' && key.name === 'start_time')
    )
      throw bad(`${formatFilterKey(key)} takes = or != (or LIKE), not ${op}`);
    return { key, op, value };
  }
  if (isWord(tok, 'LIKE') || isWord(tok, 'ILIKE')) {
    pos.i++;
    if (key.type === 'metric') throw bad(`${formatFilterKey(key)} is a number: compare it with < <= = != >= >`);
    const value = tokens[pos.i++];
    if (value?.t !== 'string') throw bad(`LIKE takes a quoted pattern, such as '%vision%'`);
    return { key, op: (tok as { v: string }).v.toUpperCase() as 'LIKE' | 'ILIKE', value: value.v };
  }
  if (isWord(tok, 'IS')) {
    pos.i++;
    const not = isWord(tokens[pos.i], 'NOT');
    if (not) pos.i++;
    if (!isWord(tokens[pos.i], 'NULL')) throw bad('IS takes NULL or NOT NULL');
    pos.i++;
    return { key, op: not ? 'IS NOT NULL' : 'IS NULL', value: null };
  }
  if (isWord(tok, 'IN') || (isWord(tok, 'NOT') && isWord(tokens[pos.i + 1], 'IN'))) {
    const not = isWord(tok, 'NOT');
    pos.i += not ? 2 : 1;
    const open = tokens[pos.i++];
    if (!(open?.t === 'punct' && open.v === '(')) throw bad("IN takes a list in parentheses: ('a', 'b')");
    const values: string[] = [];
    for (;;) {
      const v = tokens[pos.i++];
      if (v?.t !== 'string' && v?.t !== 'number') throw bad('IN takes quoted values separated by commas');
      values.push(v.t === 'string' ? v.v : v.text);
      const sep = tokens[pos.i++];
      if (sep?.t === 'punct' && sep.v === ')') break;
      if (!(sep?.t === 'punct' && sep.v === ',')) throw bad('IN takes quoted values separated by commas');
    }
    return { key, op: not ? 'NOT IN' : 'IN', value: values };
  }
  throw bad(
    `expected an operator after ${formatFilterKey(key)}${tok ? ` at character ${tok.at + 1}` : ''}`,
    'Operators: = != < <= > >= for metrics; = != LIKE ILIKE IN IS NULL for parameters, tags and attributes.',
  );
}

/** Parses a filter into its AND-joined conditions; an empty text is no condition. Throws ReproError INVALID_INPUT. */
export function parseRunFilter(text: string): FilterCondition[] {
  const tokens = tokenize(text);
  const out: FilterCondition[] = [];
  const pos = { i: 0 };
  while (pos.i < tokens.length) {
    out.push(readCondition(tokens, pos));
    if (pos.i >= tokens.length) break;
    const joiner = tokens[pos.i];
    if (isWord(joiner, 'OR'))
      throw bad('OR is not supported', 'MLflow search joins conditions with AND only; run two searches instead.');
    if (!isWord(joiner, 'AND')) throw bad(`expected AND at character ${(joiner?.at ?? text.length) + 1}`);
    pos.i++;
    if (pos.i >= tokens.length) throw bad('the filter ends after AND');
  }
  return out;
}

/** Whether a search box's text reads as a filter (an operator or a key prefix) rather than plain words to look for. */
export function looksLikeFilter(text: string): boolean {
  return (
    /(<|>|=|\bLIKE\b|\bIS\s+(NOT\s+)?NULL\b|\bIN\s*\()/i.test(text) ||
    /^\s*(metrics?|params?|tags?|attributes?)\./i.test(text)
  );
}

/** The sort of a run list: a key and a direction. */
export interface RunSort {
  key: FilterKey;
  descending: boolean;
}

/** Parses an MLflow `order_by` clause (`metrics.rmse DESC`, `start_time`); ascending unless DESC. */
export function parseRunSort(text: string): RunSort {
  const m = /^(.*?)(?:\s+(ASC|DESC))?\s*$/i.exec(text.trim());
  const key = parseFilterKey(m?.[1] ?? '');
  return { key, descending: (m?.[2] ?? '').toUpperCase() === 'DESC' };
}
