/**
 * `npx samsa topics|produce|consume` against a real coordinator and broker: topics created,
 * listed, described, given more partitions and deleted through the admin APIs; a produce ->
 * consume round trip with keys and headers; a group that resumes where it committed; one
 * partition from an offset; Kafka error names in one line.
 */
import t from 'tap';
import { startToolCluster } from './cluster.js';

t.test('samsa topics, produce and consume against a real broker', async (t) => {
  const cluster = await startToolCluster(t);
  const samsa = cluster.samsa;

  const created = await samsa(['topics', 'create', 'orders', '--partitions', '3']);
  t.equal(created.code, 0, created.stderr);
  t.equal(created.stdout, 'Created topic orders.\n');
  const again = await samsa(['topics', 'create', 'orders']);
  t.equal(again.code, 1);
  t.match(again.stderr, /^samsa: TOPIC_ALREADY_EXISTS: .*orders.*\n$/);

  t.match((await samsa(['topics', 'list'])).stdout, /^orders$/m);
  const described = await samsa(['topics', 'describe', 'orders']);
  t.match(described.stdout, /^Topic: orders\tPartitionCount: 3\tReplicationFactor: 1\t/);
  t.match(described.stdout, /\tTopic: orders\tPartition: 2\tLeader: 1\tReplicas: 1\tIsr: 1\n/);

  const altered = await samsa(['topics', 'alter', 'orders', '--partitions', '4']);
  t.equal(altered.code, 0, altered.stderr);
  t.match((await samsa(['topics', 'describe', 'orders'])).stdout, /PartitionCount: 4/);

  const produced = await samsa(
    ['produce', 'orders', '--key-separator', ':', '--header', 'source=test', '--header', 'n=1'],
    'o-1:paid\no-2:shipped\no-3:delivered\n',
  );
  t.equal(produced.code, 0, produced.stderr);
  t.match(produced.stderr, /produced 3 records to orders/);

  const consumed = await samsa([
    ...['consume', 'orders', '--from-beginning', '--max-messages', '3'],
    ...['--format', '%k=%v [%h] p%p o%o\\n'],
  ]);
  t.equal(consumed.code, 0, consumed.stderr);
  const lines = consumed.stdout.trim().split('\n').sort();
  t.equal(lines.length, 3);
  t.match(lines[0], /^o-1=paid \[source=test,n=1\] p\d o\d$/);
  t.match(lines[1], /^o-2=shipped \[source=test,n=1\] p\d o\d$/);
  t.match(lines[2], /^o-3=delivered \[source=test,n=1\] p\d o\d$/);

  // One partition, from offset 1: the records after the first on that partition.
  const one = lines.map((l) => /p(\d) o(\d)$/.exec(l)!).find((m) => m[2] === '1');
  if (one !== undefined) {
    const fromOffset = await samsa([
      ...['consume', 'orders', '--partition', one[1]!, '--offset', '1'],
      ...['--max-messages', '1', '--format', '%p %o\\n'],
    ]);
    t.equal(fromOffset.stdout, `${one[1]} 1\n`, 'read from the given offset');
  }

  // A group resumes after what it committed: a one-partition topic keeps the order.
  t.equal((await samsa(['topics', 'create', 'audit', '--partitions', '1'])).code, 0);
  await samsa(['produce', 'audit'], 'a\nb\nc\n');
  const first = await samsa([
    ...['consume', 'audit', '--group', 'auditors', '--from-beginning', '--max-messages', '2'],
  ]);
  t.equal(first.stdout, 'a\nb\n');
  const rest = await samsa(['consume', 'audit', '--group', 'auditors', '--max-messages', '1']);
  t.equal(rest.stdout, 'c\n', 'the group went on from its committed offset');

  const deleted = await samsa(['topics', 'delete', 'audit']);
  t.equal(deleted.stdout, 'Deleted topic audit.\n');
  t.notMatch((await samsa(['topics', 'list'])).stdout, /^audit$/m);

  const bad = await samsa(['produce', 'orders', '--acks', '2'], 'x\n');
  t.equal(bad.code, 1);
  t.equal(bad.stderr, 'samsa: --acks must be 0, 1, -1 or all, got "2"\n');
});
