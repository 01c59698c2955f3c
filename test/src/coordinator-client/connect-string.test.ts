import t from 'tap';
import { parseChroot, parseConnectString } from '../../../src/coordinator-client/connect-string.js';
import {
  chrootRequest,
  toClientPath,
  toServerPath,
  unchrootResult,
} from '../../../src/coordinator-client/chroot.js';

t.test('servers, ports and a chroot suffix', async (t) => {
  t.same(parseConnectString('a:1,b,[::1]:3'), [
    { host: 'a', port: 1 },
    { host: 'b', port: 2181 },
    { host: '::1', port: 3 },
  ]);
  t.same(parseConnectString('a:1,b:2/kafka/x'), [
    { host: 'a', port: 1 },
    { host: 'b', port: 2 },
  ]);
  t.equal(parseChroot('a:1,b:2/kafka/x'), '/kafka/x');
  t.equal(parseChroot('a:1'), undefined);
  t.equal(parseChroot('a:1/'), undefined, 'a bare slash is no chroot, as in ZooKeeper');
  t.throws(() => parseChroot('a:1/kafka/'), /bad chroot/);
  t.throws(() => parseChroot('a:1/ka//fka'), /bad chroot/);
  t.throws(() => parseConnectString('/kafka'), /empty connect string/);
});

t.test('paths go in with the chroot and come back without it', async (t) => {
  t.equal(toServerPath('/k', '/'), '/k');
  t.equal(toServerPath('/k', '/a/b'), '/k/a/b');
  t.equal(toClientPath('/k', '/k'), '/');
  t.equal(toClientPath('/k', '/k/a'), '/a');
  t.equal(toClientPath('/k', '/kafka'), '/kafka', 'only a whole path segment is stripped');
  t.same(chrootRequest('/k', { op: 'getEphemerals', prefix: '/' }), {
    op: 'getEphemerals',
    prefix: '/k/',
  });
  const multi = chrootRequest('/k', {
    op: 'multi',
    ops: [
      { op: 'delete', path: '/a', version: -1 },
      { op: 'check', path: '/b', version: 1 },
    ],
  });
  t.same(multi.op === 'multi' && multi.ops.map((op) => op.path), ['/k/a', '/k/b']);
  const watches = chrootRequest('/k', {
    op: 'setWatches',
    relativeZxid: 5,
    dataWatches: ['/d'],
    existWatches: ['/e'],
    childWatches: ['/'],
    persistentWatches: [],
    persistentRecursiveWatches: ['/r'],
  });
  t.match(watches, {
    dataWatches: ['/k/d'],
    existWatches: ['/k/e'],
    childWatches: ['/k'],
    persistentRecursiveWatches: ['/k/r'],
  });
  t.same(unchrootResult('/k', { path: '/k/n', paths: ['/k/e1'] }), { path: '/n', paths: ['/e1'] });
});
