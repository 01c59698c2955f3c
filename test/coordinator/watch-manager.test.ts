import t from 'tap';
import { WatchManager } from '../../coordinator/watch-manager.js';

t.test('one-shot data and child watches fire once, by ZooKeeper trigger rules', async (t) => {
  const w = new WatchManager<string>();
  w.addDataWatch('/a', 'c1'); // exists or getData
  w.addChildWatch('/a', 'c2');
  t.same([...w.trigger({ type: 'NodeChildrenChanged', path: '/a' })], ['c2']);
  t.same([...w.trigger({ type: 'NodeChildrenChanged', path: '/a' })], [], 'consumed');
  t.same([...w.trigger({ type: 'NodeDataChanged', path: '/a' })], ['c1']);
  t.same([...w.trigger({ type: 'NodeDataChanged', path: '/a' })], []);
  w.addDataWatch('/b', 'c1');
  w.addChildWatch('/b', 'c1');
  t.same(
    [...w.trigger({ type: 'NodeDeleted', path: '/b' })],
    ['c1'],
    'one event per connection per change',
  );
  t.equal(w.watchCount, 0, 'delete consumed both the data and the child watch');
});

t.test(
  'persistent watches stay; recursive ones see descendants but never children events',
  async (t) => {
    const w = new WatchManager<string>();
    w.addPersistentWatch('/p', 'c1', false);
    w.addPersistentWatch('/p', 'c2', true);
    t.same([...w.trigger({ type: 'NodeChildrenChanged', path: '/p' })], ['c1']);
    t.same([...w.trigger({ type: 'NodeDataChanged', path: '/p' })].sort(), ['c1', 'c2']);
    t.same([...w.trigger({ type: 'NodeCreated', path: '/p/a/b' })], ['c2']);
    t.same([...w.trigger({ type: 'NodeCreated', path: '/pq' })], [], '/pq is not below /p');
    t.equal(w.watchCount, 2, 'nothing consumed');
    t.ok(w.remove('/p', 'c2', 'persistent_recursive'));
    t.notOk(w.remove('/p', 'c2', 'any'));
    w.removeWatcher('c1');
    t.equal(w.watchCount, 0);
  },
);

t.test('a recursive watch on the root sees everything', async (t) => {
  const w = new WatchManager<string>();
  w.addPersistentWatch('/', 'c', true);
  t.same([...w.trigger({ type: 'NodeDeleted', path: '/x/y' })], ['c']);
});
