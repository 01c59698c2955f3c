/**
 * A growable ring buffer used as a first-in, first-out queue.
 *
 * Why not an array with `push`/`shift`: `shift` moves every remaining element, so draining a
 * queue of n pending requests costs O(n^2). The client keeps thousands of requests in flight
 * when a benchmark pipelines them, and replies arrive strictly in request order, so the
 * oldest entry is removed on every reply. A ring buffer makes both ends O(1) and reuses its
 * storage, so a steady pipeline allocates nothing here.
 *
 * Capacity is always a power of two so that wrapping is a bit mask instead of a division.
 */
import { invariant } from '../assert.js';

export class Fifo<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;

  constructor(initialCapacity = 64) {
    let capacity = 1;
    while (capacity < initialCapacity) capacity *= 2;
    this.#items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    const mask = this.#items.length - 1;
    this.#items[(this.#head + this.#length) & mask] = item;
    this.#length++;
  }

  /** The oldest item, without removing it. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Remove and return the oldest item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    // Drop the reference so a settled request (and its promise callbacks) can be collected.
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length--;
    return item;
  }

  /** Remove every item, oldest first, and return them. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    invariant(this.#length === 0, 'a drained fifo is empty');
    return out;
  }

  #grow(): void {
    const old = this.#items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = next;
    this.#head = 0;
  }
}
