import t from 'tap';
import { addedPartitions, topicChanges } from '../../../broker/controller/topic-change-handler.js';

t.test('topics that appeared and disappeared', async (t) => {
  t.same(topicChanges(['a', 'b'], ['b', 'c', 'd']), { added: ['c', 'd'], removed: ['a'] });
  t.same(topicChanges(new Set(['a']), ['a']), { added: [], removed: [] });
  t.same(topicChanges([], ['x']), { added: ['x'], removed: [] });
  t.same(topicChanges(['x'], []), { added: [], removed: ['x'] });
});

t.test('partitions added to a topic, in ascending order', async (t) => {
  const known = new Map([
    [0, [1, 2]],
    [1, [2, 3]],
  ]);
  t.same(
    addedPartitions(
      known,
      new Map([
        [3, [1]],
        [0, [1, 2]],
        [2, [3]],
        [1, [2, 3]],
      ]),
    ),
    [2, 3],
  );
});

t.test('a changed replica list is a reassignment, not an added partition', async (t) => {
  t.same(addedPartitions(new Map([[0, [1, 2]]]), new Map([[0, [3, 4]]])), []);
});
