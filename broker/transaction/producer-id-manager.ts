/**
 * Producer ids for idempotent and transactional producers, unique across the cluster: Kafka's
 * ZooKeeper-mode ProducerIdManager (kafka.coordinator.transaction, 2.8). Handing out ids one
 * coordinator write at a time would be slow, so each broker takes a *block* of
 * PRODUCER_ID_BLOCK_SIZE ids at once and gives them out from memory:
 *
 *   /latest_producer_id_block  {"version":1,"broker":0,"block_start":"0","block_end":"999"}
 *
 *   broker 0 reads it (empty: nobody took a block yet), writes block 0-999, conditional on the
 *   version it read; broker 2 then reads 0-999 and writes 1000-1999; broker 0, once it has
 *   given out id 999, reads 1000-1999 and writes 2000-2999, and so on.
 *
 * The write is a setData conditional on the znode version just read, so two brokers that read
 * the same block cannot both take the next one: the loser gets BADVERSION, reads again and
 * takes the block after. Ids are never reused, not even after a restart (the ids left in a
 * block when the broker stops are simply skipped), and that is all producers need: an id
 * identifies one producer session for as long as partitions remember it.
 *
 * Differences from Kafka: the first block is taken at the first InitProducerId rather than at
 * start-up (a broker no producer talks to never writes the znode). The block rule is the pure
 * function `nextProducerIdBlock`; the znode access is behind `ProducerIdBlockStore`.
 */
import { invariant } from '../../src/assert.js';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode as KeeperCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { LatestProducerIdBlockZNode, type ProducerIdBlock } from '../../src/znodes.js';

/** Ids per block (Kafka's ProducerIdManager.PidBlockSize in ZooKeeper mode). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;
/** Kafka's ids are int64; ours stay exact JavaScript integers. */
const PRODUCER_ID_MAX = Number.MAX_SAFE_INTEGER;
/** Conditional writes lost to other brokers before we give up on this request. */
const BLOCK_WRITE_ATTEMPTS_MAX = 10;

/** The block after `latest` (or the first block), taken by `brokerId`. */
export function nextProducerIdBlock(
  latest: ProducerIdBlock | undefined,
  brokerId: number,
): ProducerIdBlock {
  const blockStart = latest === undefined ? 0 : latest.blockEnd + 1;
  if (blockStart > PRODUCER_ID_MAX - PRODUCER_ID_BLOCK_SIZE) {
    throw new ProducerIdsExhaustedError(`no producer ids left after ${latest?.blockEnd}`);
  }
  return { brokerId, blockStart, blockEnd: blockStart + PRODUCER_ID_BLOCK_SIZE - 1 };
}

export class ProducerIdsExhaustedError extends Error {
  override name = 'ProducerIdsExhaustedError';
  readonly code = 'KB_ERR_PRODUCER_IDS_EXHAUSTED';
}

/** Where the latest block is kept (the coordinator's znode; a test keeps it in memory). */
export interface ProducerIdBlockStore {
  read(): Promise<{ block: ProducerIdBlock | undefined; version: number }>;
  /** Writes `block` if the stored version is still `version`; false if it is not. */
  writeIfVersion(block: ProducerIdBlock, version: number): Promise<boolean>;
}

/** The store on the coordinator: `/latest_producer_id_block` (created at start-up). */
export class CoordinatorProducerIdBlockStore implements ProducerIdBlockStore {
  readonly #zk: () => CoordinatorClient;
  constructor(zk: () => CoordinatorClient) {
    this.#zk = zk;
  }
  async read(): Promise<{ block: ProducerIdBlock | undefined; version: number }> {
    const { data, stat } = await this.#zk().getData(LatestProducerIdBlockZNode.path);
    return { block: LatestProducerIdBlockZNode.decode(data), version: stat.version };
  }
  async writeIfVersion(block: ProducerIdBlock, version: number): Promise<boolean> {
    try {
      await this.#zk().setData(
        LatestProducerIdBlockZNode.path,
        LatestProducerIdBlockZNode.encode(block),
        version,
      );
      return true;
    } catch (err) {
      if (hasCode(err, KeeperCode.BADVERSION)) return false;
      throw err;
    }
  }
}

export class ProducerIdManager {
  readonly #brokerId: number;
  readonly #store: ProducerIdBlockStore;
  readonly #logger: Logger;
  #block: ProducerIdBlock | undefined;
  #nextProducerId = 0;
  /** The block being fetched, shared by every request waiting for it. */
  #fetching: Promise<void> | undefined;

  constructor(options: { brokerId: number; store: ProducerIdBlockStore; logger: Logger }) {
    this.#brokerId = options.brokerId;
    this.#store = options.store;
    this.#logger = options.logger.child({
      component: 'producer-id-manager',
      brokerId: options.brokerId,
    });
  }

  /** The block ids are given out from now (undefined before the first request). */
  get currentBlock(): ProducerIdBlock | undefined {
    return this.#block;
  }

  /** A fresh producer id. Rejects when the coordinator cannot be reached. */
  async generateProducerId(): Promise<number> {
    while (this.#block === undefined || this.#nextProducerId > this.#block.blockEnd) {
      this.#fetching ??= this.#takeNextBlock().finally(() => {
        this.#fetching = undefined;
      });
      await this.#fetching;
    }
    return this.#nextProducerId++;
  }

  async #takeNextBlock(): Promise<void> {
    for (let attempt = 1; attempt <= BLOCK_WRITE_ATTEMPTS_MAX; attempt++) {
      const { block: latest, version } = await this.#store.read();
      const block = nextProducerIdBlock(latest, this.#brokerId);
      if (await this.#store.writeIfVersion(block, version)) {
        invariant(block.blockStart >= this.#nextProducerId, 'producer ids only go up');
        this.#block = block;
        this.#nextProducerId = block.blockStart;
        this.#logger.info(
          { blockStart: block.blockStart, blockEnd: block.blockEnd },
          `took producer id block ${block.blockStart}-${block.blockEnd}`,
        );
        return;
      }
      this.#logger.debug({ attempt }, 'another broker took the producer id block; reading again');
    }
    throw new Error(
      `could not take a producer id block in ${BLOCK_WRITE_ATTEMPTS_MAX} attempts (contention)`,
    );
  }
}
