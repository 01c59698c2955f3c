// ESLint flat config: typescript-eslint's recommended rules with type information, plus the few
// checks the project relies on (promises awaited or handled, exhaustive switches, 100 columns,
// and each daemon kept in its own directory). Run with `npm run lint`; `npm test` runs it after
// the Prettier check. Every rule turned off below says why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// coordinator/ and broker/ are two daemons: neither may import the other. What both need lives
// in src/. Imports are relative, so the pattern is a climb out of the importer's own directory
// (`../` once or more) into the other daemon's.
const noImportOf = (daemon) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: `^(\\.\\./)+${daemon}/`,
          message: `coordinator/ and broker/ never import each other; move shared code to src/.`,
        },
      ],
    },
  ],
});

// Kafka and ZooKeeper codes are written by name (ErrorCode, ApiKey, ZooKeeper's Code and
// OpCode): a bare number as the value of a field named for a code, or compared with one, is an
// error. The fields are those of the protocol schemas and our own records.
const codeField = '/^(errorCode|apiKey|err|opCode)$/';
const bareNumber = ":matches(Literal[raw=/^[0-9]/], UnaryExpression[argument.type='Literal'])";
const bareCodeRules = [
  {
    selector: `Property[key.name=${codeField}] > ${bareNumber}.value`,
    message: 'Write a Kafka or ZooKeeper code by its name (ErrorCode.X, ApiKey.X, Code.X).',
  },
  {
    selector:
      'BinaryExpression[operator=/^[!=]==?$/]' +
      `:matches([left.property.name=${codeField}], [left.name=${codeField}])` +
      ` > ${bareNumber}.right`,
    message: 'Compare a Kafka or ZooKeeper code with its name (ErrorCode.X, ApiKey.X, Code.X).',
  },
  {
    // t.equal(response.errorCode, 6) in a test: the expected value is a code too. Only a tap
    // assertion's second argument is: in buffer.writeInt16BE(apiKey, 0) 0 is an offset.
    selector:
      "CallExpression[callee.object.name='t']" +
      `:matches([arguments.0.property.name=${codeField}], [arguments.0.name=${codeField}])` +
      ` > ${bareNumber}.arguments:nth-child(2)`,
    message: 'Expect a Kafka or ZooKeeper code by its name (ErrorCode.X, ApiKey.X, Code.X).',
  },
];

export default tseslint.config(
  {
    // Generated codecs are checked by the generator; build output and data are not source.
    ignores: ['dist/', 'node_modules/', 'data/', '.tap/', 'src/protocol/kafka/generated/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // tap's `t.test()` returns a promise tap itself waits for: a subtest that fails is
          // reported by tap, so it need not be awaited or caught by the caller.
          allowForKnownSafePromises: [
            { from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // `items[i]!` says the index is known to be in range. With noUncheckedIndexedAccess off,
      // TypeScript already types it as present, so this rule calls the `!` unnecessary; we keep
      // it as the record of that knowledge (and what that option would demand).
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        // A leading underscore marks a parameter kept for its position in a signature.
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Codes by name: `ErrorCode.NOT_LEADER_OR_FOLLOWER`, `ApiKey.Fetch`, never `6` or `1`.
      'no-restricted-syntax': ['error', ...bareCodeRules],
      // Prettier wraps code at 100 columns but never wraps comments or long strings; this
      // catches what it leaves. URLs cannot be broken, so they are allowed to run long, and so
      // is an import of one name from a long path, which Prettier keeps on one line.
      'max-len': [
        'error',
        {
          code: 100,
          tabWidth: 2,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
          ignorePattern: "^import (type )?\\{ \\w+ \\} from '[^']+';$",
        },
      ],
    },
  },
  {
    // Plain JavaScript (this file) has no type information to lint with.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The dashboard's page runs in a browser: its globals, and no Node ones.
    files: ['src/dashboard/public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'WebSocket', 'fetch', 'CSS', 'uPlot']
          .concat(['setTimeout', 'clearTimeout', 'HTMLElement'])
          .map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // tap callbacks are async by habit so that a later `await` needs no signature change; an
      // async callback without one is harmless there.
      '@typescript-eslint/require-await': 'off',
      // Tests read untyped JSON (znode payloads, CLI output) and the internals of kafkajs, which
      // ships no types for them (so `any` is their honest type); each such value is checked by
      // an assertion right after.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['coordinator/**/*.ts'], rules: noImportOf('broker') },
  { files: ['broker/**/*.ts'], rules: noImportOf('coordinator') },
);
