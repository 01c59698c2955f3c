/**
 * TCP between ensemble members: two channels per pair of servers, `quorum` (leader <->
 * follower messages, on each server's quorum port) and `election` (fast leader election's
 * notifications, on its election port). Frames are codec.ts's.
 *
 * One connection per pair and channel, as ZooKeeper's QuorumCnxManager keeps for elections:
 * the server with the higher id connects, the lower one accepts (and drops a connection from
 * a lower id). The connecting side retries with a backoff (100 ms doubling to 1 s) whenever it
 * has no connection. A new connection from a peer replaces the old one.
 *
 * What Zab needs from a link (zab.ts): messages arrive in order or the link breaks and the
 * receiver is told. A link has a generation number that grows each time it breaks
 * (`onDisconnect` is called then: the current connection of a pair ended or was replaced). A
 * send tagged with an older generation is dropped, so nothing meant for a broken connection
 * slips onto its successor; a tagged send while no connection is up waits for the next one
 * (a follower's FOLLOWERINFO written before its connection to the new leader is up, as
 * ZooKeeper's learner connects first and then writes).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Logger } from '../../src/logger.js';
import { encodeFrame, FrameDecoder, type PeerFrame } from './codec.js';
import type { EnsembleMember } from './config.js';

export type Channel = 'quorum' | 'election';
const CHANNELS: readonly Channel[] = ['quorum', 'election'];

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1000;
/** Frames held for a link that is down; more than this and the link counts as broken. */
const MAX_HELD_FRAMES = 10_000;

interface Link {
  socket: Socket;
  generation: number;
}

/**
 * Writes `bytes` to `socket`, coalescing the writes of one turn of the event loop into one
 * writev: the sockets are no-delay, so otherwise every frame is its own syscall and packet
 * (a leader sends a PROPOSAL and a COMMIT per write to each follower, a follower an ACK).
 * ZooKeeper's learner handlers get the same from a BufferedOutputStream flushed when their
 * queue runs empty.
 */
function write(socket: Socket, bytes: Buffer): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(() => socket.uncork());
  }
  socket.write(bytes);
}

export interface PeerTransportOptions {
  id: number;
  members: readonly EnsembleMember[];
  logger: Logger;
  onFrame: (from: number, channel: Channel, frame: PeerFrame) => void;
  /** The current connection to `peer` on `channel` broke (whatever was in flight is lost). */
  onDisconnect: (peer: number, channel: Channel) => void;
}

export class PeerTransport {
  readonly #id: number;
  readonly #self: EnsembleMember;
  readonly #peers: Map<number, EnsembleMember>;
  readonly #log: Logger;
  readonly #onFrame: PeerTransportOptions['onFrame'];
  readonly #onDisconnect: PeerTransportOptions['onDisconnect'];
  readonly #links: Record<Channel, Map<number, Link>> = { quorum: new Map(), election: new Map() };
  readonly #generations: Record<Channel, Map<number, number>> = {
    quorum: new Map(),
    election: new Map(),
  };
  readonly #held: Record<Channel, Map<number, Buffer[]>> = {
    quorum: new Map(),
    election: new Map(),
  };
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(options: PeerTransportOptions) {
    this.#id = options.id;
    this.#self = options.members.find((m) => m.id === options.id)!;
    this.#peers = new Map(options.members.filter((m) => m.id !== options.id).map((m) => [m.id, m]));
    this.#log = options.logger;
    this.#onFrame = options.onFrame;
    this.#onDisconnect = options.onDisconnect;
  }

  async listen(): Promise<void> {
    for (const channel of CHANNELS) {
      const server = createServer((socket) => this.#accept(channel, socket));
      const portNumber = channel === 'quorum' ? this.#self.quorumPort : this.#self.electionPort;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(portNumber, this.#self.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.#servers.push(server);
      this.#log.info({ channel, host: this.#self.host, port: portNumber }, 'listening for peers');
    }
    for (const peer of this.#peers.values()) {
      if (peer.id < this.#id)
        for (const channel of CHANNELS) this.#dial(channel, peer, MIN_BACKOFF_MS);
    }
  }

  /** The generation of the current (or last) connection; sends tagged with an older one drop. */
  generation(peer: number, channel: Channel): number {
    return this.#generations[channel].get(peer) ?? 0;
  }

  isConnected(peer: number, channel: Channel): boolean {
    return this.#links[channel].has(peer);
  }

  /**
   * Without `generation`: send if the link is up, else drop. With it: drop if the link broke
   * since that generation, else send now or as soon as the link is up.
   */
  send(peer: number, channel: Channel, frame: PeerFrame, generation?: number): boolean {
    const link = this.#links[channel].get(peer);
    if (generation === undefined) {
      if (!link) return false;
      write(link.socket, encodeFrame(frame));
      return true;
    }
    if (generation !== this.generation(peer, channel)) return false;
    if (link) {
      write(link.socket, encodeFrame(frame));
      return true;
    }
    let held = this.#held[channel].get(peer);
    if (!held) this.#held[channel].set(peer, (held = []));
    held.push(encodeFrame(frame));
    if (held.length > MAX_HELD_FRAMES) this.#broken(channel, peer);
    return true;
  }

  /** The link of a pair broke: a new generation, nothing held survives. */
  #broken(channel: Channel, peer: number): void {
    this.#held[channel].delete(peer);
    this.#generations[channel].set(peer, this.generation(peer, channel) + 1);
    this.#onDisconnect(peer, channel);
  }

  /** Close the link to `peer` (Zab's closeConnection); the dialing side reconnects later. */
  disconnect(peer: number, channel: Channel): void {
    const link = this.#links[channel].get(peer);
    if (link) link.socket.destroy();
  }

  #accept(channel: Channel, socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    let peer: number | undefined;
    socket.on('data', (chunk: Buffer) => {
      let frames: PeerFrame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.#log.warn({ channel, peer, err: (err as Error).message }, 'bad frame from a peer');
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (peer === undefined) {
          if (frame.t !== 'hello' || !this.#peers.has(frame.id) || frame.id <= this.#id) {
            this.#log.warn({ channel, frame: frame.t }, 'refusing a peer connection');
            socket.destroy();
            return;
          }
          peer = frame.id;
          this.#register(channel, peer, socket);
          continue;
        }
        this.#deliver(channel, peer, socket, frame);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#sockets.delete(socket);
      if (peer !== undefined) this.#unregister(channel, peer, socket);
    });
  }

  #dial(channel: Channel, peer: EnsembleMember, backoffMs: number): void {
    if (this.#closed) return;
    const portNumber = channel === 'quorum' ? peer.quorumPort : peer.electionPort;
    const socket = connect({ host: peer.host, port: portNumber });
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    let connected = false;
    const decoder = new FrameDecoder();
    socket.once('connect', () => {
      connected = true;
      socket.write(encodeFrame({ t: 'hello', id: this.#id }));
      this.#register(channel, peer.id, socket);
    });
    socket.on('data', (chunk: Buffer) => {
      let frames: PeerFrame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.#log.warn({ channel, peer: peer.id, err: (err as Error).message }, 'bad frame');
        socket.destroy();
        return;
      }
      for (const frame of frames) this.#deliver(channel, peer.id, socket, frame);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#sockets.delete(socket);
      if (connected) this.#unregister(channel, peer.id, socket);
      if (this.#closed) return;
      const next = connected ? MIN_BACKOFF_MS : Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      const timer = setTimeout(
        () => {
          this.#retryTimers.delete(timer);
          this.#dial(channel, peer, next);
        },
        connected ? MIN_BACKOFF_MS : backoffMs,
      );
      this.#retryTimers.add(timer);
    });
  }

  #register(channel: Channel, peer: number, socket: Socket): void {
    const old = this.#links[channel].get(peer);
    if (old) {
      this.#links[channel].delete(peer);
      old.socket.destroy();
      this.#broken(channel, peer);
    }
    const generation = this.generation(peer, channel);
    this.#links[channel].set(peer, { socket, generation });
    const held = this.#held[channel].get(peer) ?? [];
    this.#held[channel].delete(peer);
    for (const bytes of held) write(socket, bytes);
    this.#log.debug({ channel, peer, generation, held: held.length }, 'peer connected');
  }

  #unregister(channel: Channel, peer: number, socket: Socket): void {
    const link = this.#links[channel].get(peer);
    if (!link || link.socket !== socket) return;
    this.#links[channel].delete(peer);
    this.#log.debug({ channel, peer }, 'peer disconnected');
    this.#broken(channel, peer);
  }

  #deliver(channel: Channel, peer: number, socket: Socket, frame: PeerFrame): void {
    // Frames still arriving on a replaced connection are from a broken link: drop them.
    if (this.#links[channel].get(peer)?.socket !== socket) return;
    this.#onFrame(peer, channel, frame);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const socket of this.#sockets) socket.destroy();
    this.#links.quorum.clear();
    this.#links.election.clear();
    await Promise.all(this.#servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
