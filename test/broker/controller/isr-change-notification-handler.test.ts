import t from 'tap';
import { changedPartitions } from '../../../broker/controller/isr-change-notification-handler.js';

const tp = (topic: string, partition: number) => ({ topic, partition });

t.test('partitions named by several notifications are refreshed once', async (t) => {
  t.same(
    changedPartitions([[tp('a', 0), tp('a', 1)], [tp('b', 0), tp('a', 0)], []], () => true),
    [tp('a', 0), tp('a', 1), tp('b', 0)],
  );
});

t.test('partitions the controller does not know (a deleted topic) are left out', async (t) => {
  t.same(
    changedPartitions([[tp('gone', 0), tp('a', 2)]], (x) => x.topic !== 'gone'),
    [tp('a', 2)],
  );
  t.same(
    changedPartitions([], () => true),
    [],
  );
});
