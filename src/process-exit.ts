/**
 * Ending a command-line program without losing its output.
 *
 * `process.exit()` ends the process at once, and whatever is still queued inside Node for
 * stdout or stderr is dropped. When stdout is a file or a terminal Node writes synchronously,
 * so nothing is queued; when it is a pipe (`coordinator ls / | wc -c`) the kernel takes at
 * most one pipe buffer (64 KiB on Linux) per write, the rest waits in the stream for the
 * reader, and an early exit cut `get` of a 1 MB node to 65,536 bytes, with exit code 0.
 *
 * `exitAfterFlush(code)` therefore waits until both streams have handed every byte written so
 * far to the operating system, and only then exits. A write's callback runs after all writes
 * queued before it, so one empty write per stream is enough to know that the stream is empty.
 * If the reader has gone away (`| head -1` closes the pipe: EPIPE) there is nobody left to
 * flush to. A C program would be killed by SIGPIPE there; Node ignores that signal and reports
 * an 'error' on the stream instead, which unhandled would print a stack trace.
 * `exitOnBrokenPipe()` makes the CLIs end the way a C program does: silently, with exit code
 * 141 (128 + SIGPIPE), which shells already know as "the reader stopped reading".
 */

/** Exit status of a process that was killed by SIGPIPE (signal 13), as shells report it. */
export const BROKEN_PIPE_EXIT_CODE = 128 + 13;

/** Resolves when everything written to `stream` so far has reached the operating system. */
export function flushed(stream: NodeJS.WritableStream): Promise<void> {
  const writable = stream as NodeJS.WritableStream & { destroyed?: boolean };
  if (writable.destroyed === true || !writable.writable) return Promise.resolve();
  return new Promise((resolve) => {
    // An EPIPE arrives both as the callback's error and as an 'error' event; without a
    // listener the event would crash the process on its way out.
    const onError = (): void => resolve();
    stream.once('error', onError);
    stream.write('', () => {
      stream.off('error', onError);
      resolve();
    });
  });
}

/**
 * How long `exitAfterFlush` waits for the streams at most. A reader that keeps its end of the
 * pipe open but never reads (a parent that was stopped, or that died while another process
 * still holds the pipe) would otherwise keep a stopped daemon alive for ever after SIGTERM.
 */
export const FLUSH_WAIT_MS_MAX = 5_000;

/** Flush stdout and stderr (for at most FLUSH_WAIT_MS_MAX), then end the process. */
export async function exitAfterFlush(code: number): Promise<never> {
  await Promise.race([
    Promise.all([flushed(process.stdout), flushed(process.stderr)]),
    // Process-level, not a component's timer, so not the Scheduler; unref'd so it never
    // keeps the process alive by itself.
    new Promise<void>((resolve) => setTimeout(resolve, FLUSH_WAIT_MS_MAX).unref()),
  ]);
  process.exit(code);
}

/**
 * Call once at start-up: when the reader of stdout or stderr goes away, exit silently with
 * BROKEN_PIPE_EXIT_CODE instead of crashing with an unhandled EPIPE. Other errors on the
 * streams are rethrown, so they still crash loudly.
 */
export function exitOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(BROKEN_PIPE_EXIT_CODE);
      throw err;
    });
  }
}
