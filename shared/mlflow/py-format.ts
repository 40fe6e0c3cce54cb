// Python's str.format as MLflow applies it to an MLproject command: fields, !r/!s/!a conversions, string format specs.
import { ReproError } from '../errors';
import { hasName } from '../records';

/** The widest padding a field may ask for (Python would build a string of any size; a command line cannot hold one). */
const MAX_WIDTH = 10_000;

function invalid(label: string, what: string, hint?: string): ReproError {
  return new ReproError(
    'PROJECT_INVALID',
    `${label} is invalid: ${what}`,
    hint ?? 'Fix the command template in the MLproject file (MLflow fills it with Python str.format).',
  );
}

// Python's str.isprintable(): not printable are "Other" (Cc, Cf, Cs, Co, Cn) and "Separator" (Zl, Zp, Zs) except space.
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

function hex(cp: number, digits: number): string {
  return cp.toString(16).padStart(digits, '0');
}

/** Python's escape of one code point that repr() does not print as itself. */
function escapeCodePoint(cp: number): string {
  if (cp <= 0xff) return `\\x${hex(cp, 2)}`;
  if (cp <= 0xffff) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** Python 3's repr() of a str: single quotes unless the text holds a ' and no ", escapes as unicode_repr writes them. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f) out += ch;
    else out += NOT_PRINTABLE.test(ch) ? escapeCodePoint(cp) : ch;
  }
  return out + quote;
}

/** Python 3's ascii(): repr() with every non-ASCII code point escaped. */
export function pyAscii(text: string): string {
  let out = '';
  for (const ch of pyRepr(text)) {
    const cp = ch.codePointAt(0)!;
    out += cp < 0x80 ? ch : escapeCodePoint(cp);
  }
  return out;
}

const ALIGNS = new Set(['<', '>', '^', '=']);

/** Python's format(str, spec): `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`, with str's own refusals. */
export function applyStringSpec(value: string, spec: string, label: string): string {
  const chars = Array.from(spec);
  let pos = 0;
  let fill = ' ';
  let fillGiven = false;
  let align = '<';
  if (chars.length >= 2 && ALIGNS.has(chars[1]!)) {
    fill = chars[0]!;
    align = chars[1]!;
    fillGiven = true;
    pos = 2;
  } else if (chars.length >= 1 && ALIGNS.has(chars[0]!)) {
    align = chars[0]!;
    pos = 1;
  }
  const refuse = (what: string): ReproError => invalid(label, `the format spec :${spec} fails in Python: ${what}`);
  if (['+', '-', ' '].includes(chars[pos] ?? '')) throw refuse('Sign not allowed in string format specifier');
  if (chars[pos] === 'z') throw refuse('Negative zero coercion (z) not allowed in string format specifier');
  if (chars[pos] === '#') throw refuse('Alternate form (#) not allowed in string format specifier');
  if (chars[pos] === '0') {
    if (!fillGiven) fill = '0';
    pos++;
  }
  let digits = '';
  while (pos < chars.length && /[0-9]/.test(chars[pos]!)) digits += chars[pos++];
  if (chars[pos] === ',' || chars[pos] === '_') throw refuse(`Cannot specify '${chars[pos]}' with 's'.`);
  let precision: number | null = null;
  if (chars[pos] === '.') {
    pos++;
    let p = '';
    while (pos < chars.length && /[0-9]/.test(chars[pos]!)) p += chars[pos++];
    if (p === '') throw refuse('Format specifier missing precision');
    precision = Number(p);
  }
  if (chars.length - pos > 1) throw refuse('Invalid format specifier');
  if (pos < chars.length && chars[pos] !== 's')
    throw refuse(`Unknown format code '${chars[pos]}' for object of type 'str'`);
  if (align === '=') throw refuse("'=' alignment not allowed in string format specifier");
  const width = digits === '' ? 0 : Number(digits);
  if (width > MAX_WIDTH || (precision !== null && precision > Number.MAX_SAFE_INTEGER))
    throw invalid(label, `the format spec :${spec} asks for a width over ${MAX_WIDTH}`);
  // Width and precision count code points, as Python's len() does.
  let points = Array.from(value);
  if (precision !== null) points = points.slice(0, precision);
  const pad = Math.max(0, width - points.length);
  const v = points.join('');
  if (align === '<') return v + fill.repeat(pad);
  if (align === '>') return fill.repeat(pad) + v;
  const left = Math.floor(pad / 2);
  return fill.repeat(left) + v + fill.repeat(pad - left);
}

/**
 * Whether bash reads `text` as inert words: every quote closed, and no `$`, backtick or backslash where
 * bash would expand or run something. shlex.quote's output always is; a repr() or a truncated quoted value
 * may not be (MLflow hands those to bash as they are).
 */
export function isShellInert(text: string): boolean {
  let state: 'plain' | 'single' | 'double' = 'plain';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (state === 'single') {
      if (c === "'") state = 'plain';
    } else if (state === 'double') {
      if (c === '"') state = 'plain';
      else if (c === '$' || c === '`') return false;
      else if (c === '\\') i++;
    } else if (c === "'") state = 'single';
    else if (c === '"') state = 'double';
    else if (!/[\w@%+=:,./ -]/.test(c)) return false;
  }
  return state === 'plain';
}

/** A field's conversion applied to a (shell-quoted) value, as Python's format does. */
function convert(value: string, conversion: string | undefined): string {
  if (conversion === 'r') return pyRepr(value);
  if (conversion === 'a') return pyAscii(value);
  return value;
}

/**
 * Python's `template.format(**params)` as MLflow's `EntryPoint.compute_command` calls it, for the field
 * forms a named-parameter template can use: `{name}`, `{name!r|!s|!a}`, `{name:spec}`, `{{`, `}}`. Fields
 * Python would also accept but MLflow never fills sensibly (positional, attribute, index, nested specs)
 * are refused. A field whose value would reach bash unquoted (possible in MLflow with !r, !a or a
 * precision) is refused too: reproscope does not run text a parameter value smuggled into the command.
 */
export function pyFormat(template: string, params: Record<string, string>, label: string): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '{' && template[i + 1] === '{') {
      out += '{';
      i++;
      continue;
    }
    if (c === '}' && template[i + 1] === '}') {
      out += '}';
      i++;
      continue;
    }
    if (c === '}') throw invalid(label, "single '}' encountered in the command template");
    if (c !== '{') {
      out += c;
      continue;
    }
    const end = template.indexOf('}', i);
    if (end < 0) throw invalid(label, "single '{' encountered in the command template");
    const field = template.slice(i + 1, end);
    if (field.includes('{'))
      throw invalid(label, `the command field {${field}…} nests a field; MLflow's templates do not`);
    const m = /^([^!:.[\]]*)(?:!(.?))?(?::(.*))?$/s.exec(field);
    if (!m) throw invalid(label, `the command field {${field}} is not supported (only {name} fields)`);
    const key = m[1]!;
    const conversion = m[2];
    if (key === '' || /^\d+$/.test(key))
      throw invalid(label, `the command uses a positional field {${field}}; MLflow fills only named parameters`);
    if (conversion !== undefined && !['r', 's', 'a'].includes(conversion))
      throw invalid(label, `the command field {${field}} fails in Python: Unknown conversion specifier ${conversion}`);
    if (!hasName(params, key)) {
      throw new ReproError(
        'PROJECT_INVALID',
        `the command refers to {${key}}, which is not a declared parameter of the entry point`,
        'Declare the parameter in the MLproject file.',
      );
    }
    const converted = convert(params[key]!, conversion);
    // Padding is the template's own text; what must stay quoted is the value's part of the field.
    const precision = m[3] === undefined ? null : /\.(\d+)[s]?$/.exec(m[3]);
    const valuePart = precision ? Array.from(converted).slice(0, Number(precision[1])).join('') : converted;
    if (!isShellInert(valuePart)) {
      throw new ReproError(
        'PROJECT_INVALID',
        `the command field {${field}} would hand part of the value of parameter ${key} to bash unquoted (MLflow renders it so, and bash would run it); reproscope refuses to run it`,
        `Write {${key}} in the MLproject command: MLflow quotes the value for the shell itself.`,
      );
    }
    out += m[3] === undefined ? converted : applyStringSpec(converted, m[3], label);
    i = end;
  }
  return out;
}
