/** Ensemble configuration (coordinator/ensemble/config.ts): --ensemble, zoo.cfg and myid. */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EnsembleConfigError,
  ensembleConfig,
  parseEnsembleList,
  parseZooCfg,
  resolveServerId,
} from '../../../coordinator/ensemble/config.js';

t.test('--ensemble list', async (t) => {
  const members = parseEnsembleList('2=127.0.0.1:2889:3889,1=127.0.0.1:2888:3888:participant');
  t.same(members, [
    { id: 1, host: '127.0.0.1', quorumPort: 2888, electionPort: 3888 },
    { id: 2, host: '127.0.0.1', quorumPort: 2889, electionPort: 3889 },
  ]);
  t.throws(() => parseEnsembleList('1=127.0.0.1:2888'), EnsembleConfigError);
  t.throws(() => parseEnsembleList('1=h:1:2,1=h:3:4'), EnsembleConfigError, 'duplicate id');
  t.same(parseEnsembleList('1=h:1:2,4=h:7:8:observer')[1], {
    id: 4,
    host: 'h',
    quorumPort: 7,
    electionPort: 8,
    observer: true,
  });
  t.throws(() => parseEnsembleList('1=h:1:2:observer'), /no voting member/);
  t.throws(() => parseEnsembleList('1=h:1:2:witness'), /unknown role/);
  t.throws(() => parseEnsembleList('x=h:1:2'), EnsembleConfigError);
  t.throws(() => ensembleConfig(4, members), /not in the ensemble/);
  t.same(ensembleConfig(1, members).initLimit, 10);
  t.same(ensembleConfig(1, members, { syncLimit: 2 }).syncLimit, 2);
});

t.test('zoo.cfg', async (t) => {
  const cfg = parseZooCfg(
    [
      '# a comment',
      'tickTime=500',
      'initLimit=8',
      'syncLimit=3',
      'dataDir=/var/lib/zk',
      'clientPort=2181',
      'autopurge.snapRetainCount=3',
      'server.1=127.0.0.1:2888:3888',
      'server.2 = 127.0.0.1:2889:3889',
      '',
    ].join('\n'),
  );
  t.equal(cfg.tickTime, 500);
  t.equal(cfg.initLimit, 8);
  t.equal(cfg.syncLimit, 3);
  t.equal(cfg.dataDir, '/var/lib/zk');
  t.equal(cfg.clientPort, 2181);
  t.same(
    cfg.members.map((m) => m.id),
    [1, 2],
  );
  t.throws(() => parseZooCfg('tickTime=fast'), EnsembleConfigError);
  t.equal(cfg.readOnly, undefined, 'read-only mode is off unless asked for');
  t.equal(parseZooCfg('readonlymode.enabled=true').readOnly, true);
  t.equal(parseZooCfg('readonlymode.enabled=false').readOnly, false);
  t.throws(() => parseZooCfg('readonlymode.enabled=yes'), /expected true or false/);
  const members = parseEnsembleList('1=h:1:2,2=h:3:4,3=h:5:6');
  t.equal(ensembleConfig(1, members, { readOnly: true }).readOnly, true);
  t.equal(ensembleConfig(1, members).readOnly, undefined);
});

t.test('myid', async (t) => {
  const dir = t.testdir();
  t.throws(() => resolveServerId(undefined, dir), /no --id given and no myid/);
  writeFileSync(join(dir, 'myid'), '3\n');
  t.equal(resolveServerId(undefined, dir), 3);
  t.equal(resolveServerId(2, dir), 2, '--id wins');
});
