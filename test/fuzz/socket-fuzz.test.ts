/**
 * The socket fuzzer (scripts/fuzz.ts) against real daemon processes, short enough for every
 * test run: a coordinator and a broker are spawned, and each protocol gets a few thousand
 * mutated real-client frames (Kafka on the broker; ZooKeeper and WebSocket on the
 * coordinator's client port). The daemons must not crash, every liveness probe must be
 * answered, and the processes must still be running at the end. Speed and memory figures are
 * printed, not asserted: docs/reliability.md records a full run.
 */
import t from 'tap';
import { formatReport, runFuzz, CORPUS_DIR } from '../../scripts/fuzz.js';
import type { FuzzProtocol } from '../../scripts/fuzz-liveness.js';
import { startCluster } from '../helpers/cluster.js';
import type { DaemonProcess } from '../helpers/processes.js';

const FRAMES = 2500;

async function fuzz(protocol: FuzzProtocol, port: number, daemon: DaemonProcess, seed: number) {
  const report = await runFuzz({
    protocol,
    host: '127.0.0.1',
    port,
    frames: FRAMES,
    seed,
    pid: daemon.pid,
    connections: 8,
    livenessEvery: 250,
    livenessTimeoutMs: 15_000,
    mutationRate: 0.5,
    maxSeconds: 90,
    settleSeconds: 0,
    corpusDir: CORPUS_DIR,
  });
  t.comment(formatReport(report));
  return report;
}

t.test('the daemons survive mutated real-client frames', async (t) => {
  // The coordinator's default tick and the broker's default 18 s session, as a user runs them:
  // a broker busy with garbage must not lose its registration.
  const cluster = await startCluster(t, { brokers: [1], tickMs: 2000, sessionTimeoutMs: 18_000 });
  const coordinator = cluster.coordinator!;
  const broker = cluster.brokers.get(1)!;
  const brokerPort = broker.port;

  const runs: [FuzzProtocol, number, DaemonProcess][] = [
    ['zookeeper', coordinator.port, coordinator],
    ['ws', coordinator.port, coordinator],
    ['kafka', brokerPort, broker],
  ];
  for (const [index, [protocol, port, daemon]] of runs.entries()) {
    const report = await fuzz(protocol, port, daemon, 7 + index);
    t.equal(report.framesSent >= FRAMES, true, `${protocol}: ${report.framesSent} frames sent`);
    t.equal(report.crashes, 0, `${protocol}: no crash`);
    t.equal(report.livenessFailures, 0, `${protocol}: every liveness probe answered`, {
      reasons: report.livenessFailureReasons,
    });
    t.ok(report.livenessChecks >= FRAMES / 250 / 2, `${protocol}: ${report.livenessChecks} probes`);
  }
  t.equal(coordinator.child.exitCode, null, 'the coordinator is still running');
  t.equal(broker.child.exitCode, null, 'the broker is still running');
});
