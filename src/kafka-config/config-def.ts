/**
 * How a Kafka configuration property is defined and how one value is checked against its
 * definition: the small part of Kafka's `ConfigDef` (clients, org.apache.kafka.common.config)
 * that both the broker (its `server.properties`, AlterConfigs) and the `coordinator configs`
 * command need, so it lives in src/.
 *
 * A value arrives as a string (a line of a properties file, a field of AlterConfigs, JSON in
 * /config/topics/T) and is checked in two steps, as `ConfigDef.parseType` then the
 * validator do:
 *   1. type:  int (32-bit), long (64-bit; JavaScript numbers are exact to 2^53, and Kafka's
 *      Long.MAX_VALUE, 9223372036854775807, stands for "never"), short (16-bit), double,
 *      boolean (true/false, any case), string, list (comma-separated), password, class;
 *   2. range: `min` / `max` (Kafka's atLeast / between) and `oneOf` (Kafka's ValidString.in;
 *      for a list, every element must be one of them: ValidList.in).
 * The failure is a sentence naming the key, the value and what is allowed, for the
 * INVALID_CONFIG error message and for the start-up error.
 *
 * Names Kafka does not have get a "did you mean" suggestion: the known name at the smallest
 * edit distance, when it is close enough to be a typo.
 */

export type ConfigType =
  | 'int'
  | 'long'
  | 'short'
  | 'double'
  | 'boolean'
  | 'string'
  | 'list'
  | 'password'
  | 'class';

export interface ConfigDef {
  type: ConfigType;
  /** Kafka's atLeast / between: the smallest accepted number. */
  min?: number;
  /** Kafka's between: the largest accepted number. */
  max?: number;
  /** Kafka's ValidString.in / ValidList.in. */
  oneOf?: readonly string[];
}

/** Kafka's Long.MAX_VALUE in its string form: "never" for times and counts. */
export const LONG_MAX_STRING = '9223372036854775807';

const TYPE_RANGES: Partial<Record<ConfigType, { min: number; max: number }>> = {
  short: { min: -32768, max: 32767 },
  int: { min: -(2 ** 31), max: 2 ** 31 - 1 },
  // Anything past 2^53 is "never" for us: Long.MAX_VALUE maps to Infinity (parseConfigNumber).
  long: { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
};

/**
 * Checks `value` for `key` against `def`; returns undefined when it is fine, else the
 * reason (a sentence that names the key).
 */
export function configValueError(key: string, def: ConfigDef, value: string): string | undefined {
  const v = value.trim();
  switch (def.type) {
    case 'int':
    case 'long':
    case 'short': {
      if (!/^-?\d+$/.test(v)) return `${key}: "${value}" is not an integer (${def.type})`;
      if (def.type === 'long' && v === LONG_MAX_STRING) return undefined;
      const n = Number(v);
      const range = TYPE_RANGES[def.type]!;
      if (n < range.min || n > range.max)
        return `${key}: ${v} is out of the ${def.type} range [${range.min}, ${range.max}]`;
      return numberRangeError(key, def, n);
    }
    case 'double': {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n)) return `${key}: "${value}" is not a number`;
      return numberRangeError(key, def, n);
    }
    case 'boolean':
      if (!/^(true|false)$/i.test(v)) return `${key}: "${value}" is not true or false`;
      return undefined;
    case 'list': {
      if (def.oneOf === undefined) return undefined;
      for (const item of parseConfigList(v)) {
        if (!def.oneOf.includes(item))
          return `${key}: "${item}" is not one of ${def.oneOf.join(', ')}`;
      }
      return undefined;
    }
    case 'string':
      if (def.oneOf !== undefined && !def.oneOf.includes(v))
        return `${key}: "${value}" is not one of ${def.oneOf.join(', ')}`;
      return undefined;
    case 'password':
    case 'class':
      return undefined;
    default: {
      const never: never = def.type;
      return never;
    }
  }
}

function numberRangeError(key: string, def: ConfigDef, n: number): string | undefined {
  const { min, max } = def;
  if (min !== undefined && max !== undefined && (n < min || n > max))
    return `${key}: ${n} is not in the range [${min}, ${max}]`;
  if (min !== undefined && n < min) return `${key}: ${n} is less than the minimum ${min}`;
  if (max !== undefined && n > max) return `${key}: ${n} is more than the maximum ${max}`;
  return undefined;
}

/** A comma-separated list, each item trimmed, empty items dropped (Kafka's LIST type). */
export function parseConfigList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * A checked long/int value as a number; Kafka's Long.MAX_VALUE (and anything past what a
 * JavaScript number holds exactly) is `Infinity`, the log layer's "never".
 */
export function parseConfigNumber(value: string): number {
  const n = Number(value.trim());
  return n >= Number.MAX_SAFE_INTEGER ? Infinity : n;
}

/** The string form Kafka shows for a number: Long.MAX_VALUE for our Infinity. */
export function formatConfigNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : LONG_MAX_STRING;
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name closest to `name`, if it is close enough to be a typo: at most a third of
 * the name's length in edits (so `log.retention.hour` finds `log.retention.hours`, while
 * `foo` finds nothing).
 */
export function suggestConfigName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** "unknown property x (did you mean y?)": the one sentence for an unknown name. */
export function unknownConfigMessage(
  name: string,
  known: Iterable<string>,
  what = 'property',
): string {
  const suggestion = suggestConfigName(name, known);
  return suggestion === undefined
    ? `unknown ${what} ${name}`
    : `unknown ${what} ${name} (did you mean ${suggestion}?)`;
}
