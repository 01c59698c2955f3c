/**
 * Generates `src/protocol/kafka/generated/*.ts` from Kafka's JSON message schemas.
 *
 * Usage: node --import=tsx scripts/generate-kafka-protocol.ts [messages-dir] [--out dir]
 *        messages-dir defaults to ../shared/reference/kafka/messages (relative to the
 *        repository root); --out defaults to src/protocol/kafka/generated. A test
 *        (test/scripts/generate-kafka-protocol.test.ts) regenerates into a temporary directory
 *        and fails when the committed files differ.
 *
 * Where the input comes from: Apache Kafka's own protocol definitions,
 * `clients/src/main/resources/common/message/*.json` of the 3.8.0 release (Apache License
 * 2.0), copied unchanged into `../shared/reference/kafka/messages/` beside the repository,
 * together with `recommended-api-versions.json` one level up, which says which APIs to
 * generate. Those files are an input of this script only: they are not part of the
 * repository, and no daemon reads them at run time (the generated files are committed).
 * They are JSON with whole-line `//` comments (an Apache license header, then a line per
 * version bump explaining what changed); we drop comment lines before `JSON.parse`, but keep
 * the version-history comments and copy them into the generated doc comments, because they
 * are the best short explanation of why each version exists.
 *
 * Output, one file per API (e.g. `generated/produce.ts`), committed to git:
 *   - `<api>RequestSchema` / `<api>ResponseSchema`: the schema as data (type `MessageSchema`),
 *     which `codec.ts` interprets at run time;
 *   - TypeScript interfaces for the request and response bodies and their nested structs, with
 *     camelCase property names (Kafka's field name with a lower-case first letter, as in the
 *     Java accessors). A field that exists only in some versions is still a plain property:
 *     the decoder fills it with the field's default when the version lacks it;
 * plus `generated/index.ts`, the tables by API key that the codec and handlers use.
 *
 * Which APIs: those in `recommended-api-versions.json` (what our brokers advertise), plus the
 * classic inter-broker control plane: LeaderAndIsr (4), StopReplica (5), UpdateMetadata (6) and
 * ControlledShutdown (7), OffsetForLeaderEpoch (23), and the controller's partition admin APIs
 * ElectLeaders (43), AlterPartitionReassignments (45), ListPartitionReassignments (46). The
 * whole schema (all its versions) is generated; which versions the broker serves (and so
 * advertises) is decided where handlers are registered in its handler table
 * (broker/network/api-handler-table.ts), with the ranges of src/protocol/kafka/api-keys.ts.
 *
 * The generated code never refers back to the JSON: nothing reads `../shared` at run time.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outFlag = args.indexOf('--out');
const outDir = resolve(
  outFlag >= 0 ? args[outFlag + 1]! : join(repoRoot, 'src/protocol/kafka/generated'),
);
const positional = args.filter((_, i) => outFlag < 0 || (i !== outFlag && i !== outFlag + 1));
const messagesDir = resolve(positional[0] ?? join(repoRoot, '../shared/reference/kafka/messages'));

/** The classic ZooKeeper-mode control plane, sent by the controller to brokers. */
const INTER_BROKER_API_KEYS = [4, 5, 6, 7, 23];

/**
 * Admin APIs the controller answers that no recommended client needs: ElectLeaders (43,
 * KIP-460), AlterPartitionReassignments (45) and ListPartitionReassignments (46, KIP-455).
 */
const CONTROLLER_ADMIN_API_KEYS = [43, 45, 46];

/**
 * Transactions (KIP-98): AddPartitionsToTxn (24), AddOffsetsToTxn (25), EndTxn (26),
 * WriteTxnMarkers (27, coordinator to partition leaders) and TxnOffsetCommit (28).
 */
const TRANSACTION_API_KEYS = [24, 25, 26, 27, 28];

/**
 * Security admin APIs: DescribeAcls (29), CreateAcls (30), DeleteAcls (31), and the SCRAM
 * credential APIs DescribeUserScramCredentials (50) and AlterUserScramCredentials (51, KIP-554).
 */
const SECURITY_API_KEYS = [29, 30, 31, 50, 51];

interface JsonField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  ignorable?: boolean;
  mapKey?: boolean;
  about?: string;
  fields?: JsonField[];
}

interface JsonMessage {
  apiKey: number;
  type: 'request' | 'response';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  deprecatedVersions?: string;
  fields: JsonField[];
  commonStructs?: { name: string; versions: string; fields: JsonField[] }[];
}

interface LoadedMessage {
  json: JsonMessage;
  file: string;
  /** The `// Version N adds ...` lines from the top of the file. */
  history: string[];
}

function loadMessage(file: string): LoadedMessage {
  const text = readFileSync(join(messagesDir, file), 'utf8');
  const lines = text.split('\n');
  const withoutComments = lines.filter((line) => !/^\s*\/\//.test(line)).join('\n');
  const json = JSON.parse(withoutComments) as JsonMessage;
  // The history comments sit between the opening brace and the "fields" key; the license
  // header comes before the brace.
  const history: string[] = [];
  const open = lines.findIndex((line) => line.trim() === '{');
  for (let i = open + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*"fields"/.test(line)) break;
    const comment = /^\s*\/\/ ?(.*)$/.exec(line);
    if (comment) history.push(comment[1] ?? '');
  }
  while (history.length > 0 && history[history.length - 1] === '') history.pop();
  while (history.length > 0 && history[0] === '') history.shift();
  return { json, file, history };
}

// ---------------------------------------------------------------------------------------------
// Naming

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'int64',
  'float64',
  'uuid',
  'string',
  'bytes',
  'records',
]);

function elementType(type: string): string {
  return type.startsWith('[]') ? type.slice(2) : type;
}

// ---------------------------------------------------------------------------------------------
// Schema as data

function fieldData(field: JsonField, indent: string): string {
  const parts: string[] = [
    `name: ${JSON.stringify(field.name)}`,
    `property: ${JSON.stringify(lowerFirst(field.name))}`,
    `type: ${JSON.stringify(field.type)}`,
    `versions: ${JSON.stringify(field.versions)}`,
  ];
  if (field.nullableVersions !== undefined) {
    parts.push(`nullableVersions: ${JSON.stringify(field.nullableVersions)}`);
  }
  if (field.taggedVersions !== undefined) {
    parts.push(`taggedVersions: ${JSON.stringify(field.taggedVersions)}`);
  }
  if (field.tag !== undefined) parts.push(`tag: ${field.tag}`);
  if (field.default !== undefined) parts.push(`default: ${JSON.stringify(String(field.default))}`);
  if (field.ignorable) parts.push('ignorable: true');
  if (field.mapKey) parts.push('mapKey: true');
  const head = `${indent}{ ${parts.join(', ')}`;
  if (!field.fields) return `${head} }`;
  return `${head}, fields: [\n${fieldsData(field.fields, indent + '  ')}\n${indent}] }`;
}

function fieldsData(fields: JsonField[], indent: string): string {
  return fields.map((field) => fieldData(field, indent) + ',').join('\n');
}

function messageData(message: JsonMessage, constName: string): string {
  const lines = [
    `export const ${constName}: MessageSchema = {`,
    `  apiKey: ${message.apiKey},`,
    `  type: ${JSON.stringify(message.type)},`,
    `  name: ${JSON.stringify(message.name)},`,
    `  validVersions: ${JSON.stringify(message.validVersions)},`,
    `  flexibleVersions: ${JSON.stringify(message.flexibleVersions)},`,
  ];
  if (message.deprecatedVersions !== undefined) {
    lines.push(`  deprecatedVersions: ${JSON.stringify(message.deprecatedVersions)},`);
  }
  lines.push(`  fields: [\n${fieldsData(message.fields, '    ')}\n  ],`);
  if (message.commonStructs) {
    lines.push('  commonStructs: [');
    for (const struct of message.commonStructs) {
      lines.push(
        `    { name: ${JSON.stringify(struct.name)},` +
          ` versions: ${JSON.stringify(struct.versions)},` +
          ` fields: [\n${fieldsData(struct.fields, '      ')}\n    ] },`,
      );
    }
    lines.push('  ],');
  }
  lines.push('};');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// TypeScript interfaces

interface StructDecl {
  name: string;
  fields: JsonField[];
  owner: string;
}

/** Every struct type of a message (inline and common), by Kafka struct name. */
function collectStructs(message: JsonMessage): StructDecl[] {
  const out: StructDecl[] = [];
  const walk = (fields: JsonField[]): void => {
    for (const field of fields) {
      if (field.fields) {
        out.push({ name: elementType(field.type), fields: field.fields, owner: message.name });
        walk(field.fields);
      }
    }
  };
  walk(message.fields);
  for (const struct of message.commonStructs ?? []) {
    out.push({ name: struct.name, fields: struct.fields, owner: message.name });
    walk(struct.fields);
  }
  return out;
}

function tsType(field: JsonField, structNames: Map<string, string>): string {
  const base = (type: string): string => {
    switch (type) {
      case 'bool':
        return 'boolean';
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
      case 'float64':
        return 'number';
      case 'int64':
        return 'bigint';
      case 'uuid':
      case 'string':
        return 'string';
      case 'bytes':
      case 'records':
        return 'Buffer';
      default: {
        const name = structNames.get(type);
        if (!name) throw new Error(`unknown type ${type} in field ${field.name}`);
        return name;
      }
    }
  };
  let type = field.type.startsWith('[]') ? `${base(elementType(field.type))}[]` : base(field.type);
  const nullable = field.nullableVersions !== undefined && field.nullableVersions !== 'none';
  // Kafka's `records` default is null, so a records field is nullable in practice even where the
  // schema does not say so (absent versions decode to null).
  if (nullable || field.type === 'records') type += ' | null';
  return type;
}

function docFor(field: JsonField): string {
  const notes = [`versions ${field.versions}`];
  if (field.nullableVersions) notes.push(`nullable ${field.nullableVersions}`);
  if (field.taggedVersions) notes.push(`tagged ${field.taggedVersions} (tag ${field.tag})`);
  if (field.default !== undefined) notes.push(`default ${String(field.default)}`);
  if (field.ignorable) notes.push('ignorable');
  const about = (field.about ?? '').replace(/\*\//g, '* /').trim();
  return about === '' ? `/** (${notes.join('; ')}) */` : `/** ${about} (${notes.join('; ')}) */`;
}

function interfaceDecl(
  name: string,
  fields: JsonField[],
  structNames: Map<string, string>,
  doc: string,
): string {
  const lines = [doc, `export interface ${name} extends StructData {`];
  for (const field of fields) {
    lines.push(`  ${docFor(field)}`);
    lines.push(`  ${lowerFirst(field.name)}: ${tsType(field, structNames)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// One file per API

interface ApiOutput {
  apiKey: number;
  apiName: string;
  moduleName: string;
  requestType: string;
  responseType: string;
  requestConst: string;
  responseConst: string;
}

function historyDoc(title: string, loaded: LoadedMessage): string {
  const body = loaded.history.map((line) => ` *   ${line}`.trimEnd()).join('\n');
  return [
    '/**',
    ` * ${title}`,
    ' *',
    ` * Version history, from the comments in Kafka's ${loaded.file}:`,
    body,
    ' */',
  ].join('\n');
}

function generateApi(
  request: LoadedMessage,
  response: LoadedMessage,
): { code: string; api: ApiOutput } {
  const apiName = request.json.name.replace(/Request$/, '');
  const requestStructs = collectStructs(request.json);
  const responseStructs = collectStructs(response.json);
  // Struct names are unique within one message (Kafka's generator enforces that), but a request
  // and its response may reuse a name for different shapes; prefix both then.
  const requestNames = new Map<string, string>();
  const responseNames = new Map<string, string>();
  const responseSet = new Set(responseStructs.map((s) => s.name));
  const requestSet = new Set(requestStructs.map((s) => s.name));
  for (const s of requestStructs) {
    requestNames.set(s.name, responseSet.has(s.name) ? `${request.json.name}${s.name}` : s.name);
  }
  for (const s of responseStructs) {
    responseNames.set(s.name, requestSet.has(s.name) ? `${response.json.name}${s.name}` : s.name);
  }
  const requestConst = `${lowerFirst(request.json.name)}Schema`;
  const responseConst = `${lowerFirst(response.json.name)}Schema`;
  const sourceNote = (m: JsonMessage): string =>
    `${m.name} (API key ${m.apiKey}): versions ${m.validVersions}, flexible ${m.flexibleVersions}` +
    (m.deprecatedVersions ? `, deprecated upstream ${m.deprecatedVersions}` : '') +
    '.';

  const parts: string[] = [
    '// GENERATED FILE: do not edit.',
    '// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts',
    `// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/` +
      `{${request.file},${response.file}} (Apache License 2.0).`,
    '',
    "import type { MessageSchema, StructData } from '../schema.js';",
    '',
    historyDoc(sourceNote(request.json), request),
    messageData(request.json, requestConst),
    '',
    historyDoc(sourceNote(response.json), response),
    messageData(response.json, responseConst),
    '',
    interfaceDecl(
      request.json.name,
      request.json.fields,
      requestNames,
      `/** The body of a ${request.json.name} (all versions; see ${requestConst}). */`,
    ),
  ];
  const seen = new Set<string>();
  for (const s of requestStructs) {
    const name = requestNames.get(s.name) ?? s.name;
    if (seen.has(name)) continue;
    seen.add(name);
    const doc = `/** A ${s.name} in a ${s.owner}. */`;
    parts.push('', interfaceDecl(name, s.fields, requestNames, doc));
  }
  parts.push(
    '',
    interfaceDecl(
      response.json.name,
      response.json.fields,
      responseNames,
      `/** The body of a ${response.json.name} (all versions; see ${responseConst}). */`,
    ),
  );
  for (const s of responseStructs) {
    const name = responseNames.get(s.name) ?? s.name;
    if (seen.has(name)) continue;
    seen.add(name);
    const doc = `/** A ${s.name} in a ${s.owner}. */`;
    parts.push('', interfaceDecl(name, s.fields, responseNames, doc));
  }
  const moduleName = kebab(apiName);
  return {
    code: parts.join('\n') + '\n',
    api: {
      apiKey: request.json.apiKey,
      apiName,
      moduleName,
      requestType: request.json.name,
      responseType: response.json.name,
      requestConst,
      responseConst,
    },
  };
}

function generateIndex(apis: ApiOutput[]): string {
  const sorted = [...apis].sort((a, b) => a.apiKey - b.apiKey);
  const lines = [
    '// GENERATED FILE: do not edit.',
    '// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts',
    '//',
    '// The generated APIs by key: schemas for the codec, and body types for handlers.',
    '',
    "import type { MessageSchema } from '../schema.js';",
  ];
  for (const api of sorted) {
    lines.push(
      `import {\n  ${api.requestConst},\n  ${api.responseConst},\n` +
        `  type ${api.requestType},\n  type ${api.responseType},\n} from './${api.moduleName}.js';`,
    );
  }
  lines.push('', 'export type {');
  for (const api of sorted) lines.push(`  ${api.requestType},`, `  ${api.responseType},`);
  lines.push('};', '');
  lines.push('/** API names by key, for the APIs we generate. */');
  lines.push('export const GENERATED_API_NAMES = {');
  for (const api of sorted) lines.push(`  ${api.apiKey}: ${JSON.stringify(api.apiName)},`);
  lines.push('} as const;', '');
  lines.push('export type GeneratedApiKey = keyof typeof GENERATED_API_NAMES;', '');
  lines.push('/** Request and response schema of every generated API. */');
  lines.push(
    'export const MESSAGE_SCHEMAS: Readonly<Record<GeneratedApiKey, ' +
      '{ readonly request: MessageSchema; readonly response: MessageSchema }>> = {',
  );
  for (const api of sorted) {
    lines.push(
      `  ${api.apiKey}: { request: ${api.requestConst}, response: ${api.responseConst} },`,
    );
  }
  lines.push('};', '');
  lines.push('/** The request body type of each API key. */');
  lines.push('export interface RequestBodyByApiKey {');
  for (const api of sorted) lines.push(`  ${api.apiKey}: ${api.requestType};`);
  lines.push('}', '');
  lines.push('/** The response body type of each API key. */');
  lines.push('export interface ResponseBodyByApiKey {');
  for (const api of sorted) lines.push(`  ${api.apiKey}: ${api.responseType};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

function main(): void {
  const recommended = JSON.parse(
    readFileSync(join(messagesDir, '../recommended-api-versions.json'), 'utf8'),
  ) as { apis: { apiKey: number }[] };
  const wanted = new Set([
    ...recommended.apis.map((a) => a.apiKey),
    ...INTER_BROKER_API_KEYS,
    ...CONTROLLER_ADMIN_API_KEYS,
    ...TRANSACTION_API_KEYS,
    ...SECURITY_API_KEYS,
  ]);
  const byKey = new Map<number, { request?: LoadedMessage; response?: LoadedMessage }>();
  for (const file of readdirSync(messagesDir).sort()) {
    if (!/(Request|Response)\.json$/.test(file)) continue;
    const loaded = loadMessage(file);
    if (!wanted.has(loaded.json.apiKey)) continue;
    const entry = byKey.get(loaded.json.apiKey) ?? {};
    entry[loaded.json.type] = loaded;
    byKey.set(loaded.json.apiKey, entry);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const apis: ApiOutput[] = [];
  for (const key of [...wanted].sort((a, b) => a - b)) {
    const entry = byKey.get(key);
    if (!entry?.request || !entry.response) throw new Error(`missing schema files for API ${key}`);
    const structs = [...collectStructs(entry.request.json), ...collectStructs(entry.response.json)];
    for (const t of structs) {
      if (PRIMITIVES.has(t.name)) throw new Error(`struct named like a primitive: ${t.name}`);
    }
    const { code, api } = generateApi(entry.request, entry.response);
    writeFileSync(join(outDir, `${api.moduleName}.ts`), code);
    apis.push(api);
  }
  writeFileSync(join(outDir, 'index.ts'), generateIndex(apis));
  console.log(`wrote ${apis.length} APIs to ${outDir}`);
}

main();
