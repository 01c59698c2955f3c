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
    t.equal(w.watchCount, 4, 'nothing consumed (each sits in both tables, as in ZooKeeper)');
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

t.test('removeWatches -d takes the data half of a persistent watch (ZooKeeper 3.8)', async (t) => {
  const w = new WatchManager<string>();
  w.addPersistentWatch('/p', 'c', false);
  t.ok(w.remove('/p', 'c', 'data'), 'the data half counts as a data watch');
  t.same([...w.trigger({ type: 'NodeDataChanged', path: '/p' })], [], 'no NodeDataChanged');
  t.same([...w.trigger({ type: 'NodeCreated', path: '/p' })], [], 'no NodeCreated');
  t.same([...w.trigger({ type: 'NodeChildrenChanged', path: '/p' })], ['c'], 'children: yes');
  t.same([...w.trigger({ type: 'NodeDeleted', path: '/p' })], ['c'], 'deleted: yes');
  t.notOk(w.remove('/p', 'c', 'data'), 'nothing left to remove: NoWatcher');
  t.ok(w.remove('/p', 'c', 'children', true), 'the child half is still there');

  w.addPersistentWatch('/q', 'c', false);
  t.ok(w.remove('/q', 'c', 'children'));
  t.same([...w.trigger({ type: 'NodeChildrenChanged', path: '/q' })], []);
  t.same([...w.trigger({ type: 'NodeDataChanged', path: '/q' })], ['c']);

  w.addPersistentWatch('/r', 'c', true);
  t.ok(w.remove('/r', 'c', 'data'));
  t.same([...w.trigger({ type: 'NodeCreated', path: '/r/x' })], []);
  t.same([...w.trigger({ type: 'NodeDataChanged', path: '/r' })], []);
  t.same([...w.trigger({ type: 'NodeDeleted', path: '/r/x' })], ['c'], 'via the child half');
});

t.test('wchs, wchc and wchp see the data table only; mntr counts both', async (t) => {
  const w = new WatchManager<string>();
  w.addChildWatch('/kids', 'a');
  t.equal(w.dataWatchCount, 0);
  t.equal(w.watcherCount, 0, 'a child watch alone is not listed');
  t.same([...w.byPath().keys()], []);
  w.addDataWatch('/d', 'a');
  w.addPersistentWatch('/p', 'b', false);
  t.equal(w.dataWatchCount, 2);
  t.equal(w.watchedPathCount, 2);
  t.equal(w.watcherCount, 2);
  t.same([...w.byPath().keys()].sort(), ['/d', '/p']);
  t.same([...w.byWatcher().get('a')!], ['/d']);
  t.equal(w.watchCount, 4, 'child watch + data watch + both halves of the persistent one');
});
