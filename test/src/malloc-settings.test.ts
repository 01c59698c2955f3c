import t from 'tap';
import {
  daemonEnvironment,
  MMAP_THRESHOLD_BYTES_DEFAULT,
  MMAP_THRESHOLD_VARIABLE,
} from '../../src/malloc-settings.js';

t.test('a daemon gets our mmap threshold and the rest of the environment', async (t) => {
  const env = daemonEnvironment({ PATH: '/usr/bin', MALLOC_ARENA_MAX: '2' });
  t.same(env, { PATH: '/usr/bin', MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '16384' });
  t.equal(MMAP_THRESHOLD_VARIABLE, 'MALLOC_MMAP_THRESHOLD_');
  t.equal(MMAP_THRESHOLD_BYTES_DEFAULT, 16_384);
});

t.test("the operator's environment decides when it sets the threshold", async (t) => {
  t.same(daemonEnvironment({ MALLOC_MMAP_THRESHOLD_: '131072' }), {
    MALLOC_MMAP_THRESHOLD_: '131072',
  });
  const tunables = {
    GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=0:glibc.malloc.mmap_threshold=0',
  };
  t.same(daemonEnvironment(tunables), tunables, 'set through GLIBC_TUNABLES');
  const other = { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' };
  t.same(daemonEnvironment(other), { ...other, MALLOC_MMAP_THRESHOLD_: '16384' });
});

t.test('the given environment is not changed', async (t) => {
  const given = { HOME: '/root' };
  const env = daemonEnvironment(given);
  t.not(env, given);
  t.same(given, { HOME: '/root' });
});
