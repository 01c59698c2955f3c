/**
 * A LeaderAndIsr with many partitions is handled in slices, with turns of the event loop
 * between them, so a big new topic cannot stall the broker (its coordinator session, other
 * clients) for as long as creating every log takes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import type { LeaderAndIsrRequest } from '../../../src/protocol/kafka/generated/index.js';
import { logConfig } from '../../../broker/log/log-config.js';
import { LogManager } from '../../../broker/log/log-manager.js';
import { MetadataCache } from '../../../broker/server/metadata-cache.js';
import { LEADER_AND_ISR_SLICE, ReplicaManager } from '../../../broker/server/replica-manager.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';

t.test('LeaderAndIsr for many partitions yields to the event loop between slices', async (t) => {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-slices-'));
  t.teardown(() => fs.rmSync(logDir, { recursive: true, force: true }));
  const logger = silentLogger();
  const logManager = LogManager.startup({
    logDirs: [logDir],
    defaultConfig: logConfig(),
    clock: systemClock,
    logger,
  });
  const replicaManager = new ReplicaManager({
    brokerId: 1,
    logManager,
    metadataCache: new MetadataCache({ clusterId: 'c' }),
    minInsyncReplicas: () => 1,
    clock: systemClock,
    logger,
  });
  t.teardown(async () => {
    replicaManager.shutdown();
    await logManager.shutdown();
  });
  const count = LEADER_AND_ISR_SLICE * 3 + 1;
  const partitionStates = Array.from({ length: count }, (_, partitionIndex) => ({
    topicName: 'wide',
    partitionIndex,
    controllerEpoch: 1,
    leader: 1,
    leaderEpoch: 0,
    isr: [1],
    partitionEpoch: 0,
    zkVersion: 0,
    replicas: [1],
    addingReplicas: [],
    removingReplicas: [],
    isNew: true,
    leaderRecoveryState: 0,
    offlineReplicas: [],
  }));
  const request = {
    controllerId: 1,
    isKRaftController: false,
    controllerEpoch: 1,
    brokerEpoch: -1n,
    type: 0,
    ungroupedPartitionStates: [],
    topicStates: [{ topicName: 'wide', topicId: '', partitionStates }],
    liveLeaders: [],
  } as unknown as LeaderAndIsrRequest;

  // Count the turns of the event loop that happen while the request is being handled.
  let turns = 0;
  let handled = false;
  const tick = (): void => {
    if (handled) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  const done = replicaManager.becomeLeaderOrFollower(request, 4);
  t.ok(replicaManager.getPartition({ topic: 'wide', partition: 0 }), 'the first slice at once');
  t.notOk(
    replicaManager.getPartition({ topic: 'wide', partition: LEADER_AND_ISR_SLICE }),
    'the second slice waits for a turn of the event loop',
  );
  const response = await done;
  handled = true;
  t.ok(turns >= 3, `other work ran ${turns} times while ${count} partitions were created`);
  t.ok(replicaManager.getPartition({ topic: 'wide', partition: count - 1 }), 'all created');
  t.equal(response.errorCode, ErrorCode.NONE);
});
