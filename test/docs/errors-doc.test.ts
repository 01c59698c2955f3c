import t from 'tap';
import { readFileSync } from 'node:fs';
import { renderErrorsDoc } from '../../scripts/generate-errors-doc.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';
import { KAFKA_ERRORS } from '../../src/protocol/kafka/errors.js';

t.test('docs/errors.md lists every error code and is up to date', async (t) => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  t.equal(
    doc,
    renderErrorsDoc(),
    'regenerate with: node --import tsx scripts/generate-errors-doc.ts',
  );
  for (const name of Object.keys(ErrorCode)) t.match(doc, `| ${name} |`);
  for (const e of KAFKA_ERRORS) t.match(doc, `| ${e.name} |`);
});
