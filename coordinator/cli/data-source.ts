/**
 * Where `create` and `set` take a node's data from when it is not on the command line:
 * `--data-file FILE` reads FILE, `--data-file -` reads standard input to its end. A 1 MB
 * value does not fit on a command line (the kernel refuses with "Argument list too long"),
 * and a file keeps binary data byte for byte, which a shell argument cannot (no NUL bytes).
 *
 * Reading stops one byte past DATA_BYTES_MAX, the most a node can hold, so a huge file or an
 * endless pipe (`yes | coordinator set /x --data-file -`) fails at once with a clear message
 * instead of filling memory before the server refuses it.
 */
import { createReadStream } from 'node:fs';
import { DATA_BYTES_MAX } from '../data-tree.js';
import { UsageError } from './context.js';

/** The name of standard input for `--data-file`. */
export const STDIN_NAME = '-';

/** The data given by `[data]` or `--data-file`, or undefined when neither was given. */
export async function nodeDataFrom(options: {
  text: string | undefined;
  dataFile: string | undefined;
}): Promise<Buffer | string | undefined> {
  if (options.dataFile === undefined) return options.text;
  if (options.text !== undefined)
    throw new UsageError('give the data either as an argument or with --data-file, not both');
  const data =
    options.dataFile === STDIN_NAME
      ? await readBounded(process.stdin)
      : await readFileBounded(options.dataFile);
  if (data.length > DATA_BYTES_MAX) {
    const source = options.dataFile === STDIN_NAME ? 'standard input' : options.dataFile;
    throw new UsageError(
      `${source} holds more than ${DATA_BYTES_MAX} bytes, the most a node holds`,
    );
  }
  return data;
}

/** Up to DATA_BYTES_MAX + 1 bytes of a stream (one more than allowed, to detect "too big"). */
async function readBounded(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(buffer);
    length += buffer.length;
    if (length > DATA_BYTES_MAX) break;
  }
  return Buffer.concat(chunks, Math.min(length, DATA_BYTES_MAX + 1));
}

async function readFileBounded(path: string): Promise<Buffer> {
  try {
    // `end` is inclusive: this reads at most DATA_BYTES_MAX + 1 bytes.
    return await readBounded(createReadStream(path, { end: DATA_BYTES_MAX }));
  } catch (err) {
    throw new UsageError(`cannot read --data-file ${path}: ${(err as Error).message}`);
  }
}
