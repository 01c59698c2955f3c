/**
 * The C allocator settings that our launchers give the daemons they start, the way Kafka's
 * kafka-run-class.sh gives the JVM its options: a default of ours, and the operator's
 * environment wins. Only glibc reads them (musl and a preloaded jemalloc ignore them).
 *
 * MALLOC_MMAP_THRESHOLD_=16384: glibc serves every request of 16 KiB or more with an mmap of
 * its own and unmaps it when it is freed, instead of carving it out of an arena. Why: Node
 * allocates a 64 KiB buffer for every socket read and shrinks it to the bytes read, and ws
 * allocates a Buffer for each message that spans reads. All of them are freed only when V8
 * collects their JavaScript wrappers, and by then a few live chunks sit between the free ones,
 * so glibc (which returns memory from the top of an arena only) keeps the free pages resident.
 * After 100,000 fuzzed WebSocket frames the coordinator's main arena held 16 to 17 MiB, 5 in
 * use. With the threshold at 16 KiB it held 6 to 7 MiB and the process came back within 5 to 7%
 * of its starting RSS (docs/reliability.md, "The fix"). The cost: an mmap and a munmap for each
 * socket read. 65536 keeps the read buffers out of the
 * arenas but not the medium chunks, and missed the target; glibc's own starting threshold,
 * 128 KiB, excludes the read buffers. Setting the variable also turns off glibc's dynamic
 * threshold, which would otherwise rise to the size of the largest chunk freed (up to 32 MiB).
 */

/** The variable glibc reads at process start (mallopt(3), M_MMAP_THRESHOLD). */
export const MMAP_THRESHOLD_VARIABLE = 'MALLOC_MMAP_THRESHOLD_';
/** Our default for it, in bytes. */
export const MMAP_THRESHOLD_BYTES_DEFAULT = 16 * 1024;

/**
 * The environment for a daemon: `env` as it is, plus our MALLOC_MMAP_THRESHOLD_ unless `env`
 * sets the threshold already, by that variable or in GLIBC_TUNABLES
 * (glibc.malloc.mmap_threshold), which then decides.
 */
export function daemonEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (env[MMAP_THRESHOLD_VARIABLE] !== undefined || tunables.includes('malloc.mmap_threshold')) {
    return { ...env };
  }
  return { ...env, [MMAP_THRESHOLD_VARIABLE]: String(MMAP_THRESHOLD_BYTES_DEFAULT) };
}
