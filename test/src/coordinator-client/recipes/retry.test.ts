/**
 * The recipes' shared helpers: sequence-number parsing and ordering (a `-` separator is not
 * a minus sign), and retrying after connection loss.
 */
import t from 'tap';
import { sequenceOf, sortBySequence } from '../../../../src/coordinator-client/recipes/retry.js';

t.test('sequenceOf reads the last 10 digits, whatever the separator', async (t) => {
  t.equal(sequenceOf('n_3f1c-aa_0000000012'), 12);
  t.equal(
    sequenceOf('0b7e2c3a-1111-2222-3333-444455556666-lock-0000000001'),
    1,
    'the "-" is a separator',
  );
  t.ok(Number.isNaN(sequenceOf('not-sequential')));
});

t.test(
  'sortBySequence orders by number, not by the GUID prefix, and skips foreign names',
  async (t) => {
    t.same(
      sortBySequence(['zz-lock-0000000003', 'aa-lock-0000000010', 'mm-lock-0000000001', 'readme']),
      ['mm-lock-0000000001', 'zz-lock-0000000003', 'aa-lock-0000000010'],
    );
  },
);
