/**
 * The coordinator's WebSocket JSON codec, by example: the messages docs/coordinator-protocol.md
 * shows decode to the requests they name, what we encode decodes back to the same frame, and
 * untrusted input that is not a valid message is a FrameError (with the xid, when there is one,
 * so the server can answer that request instead of closing).
 */
import t from 'tap';
import { ErrorCode, errorName } from '../../../../src/protocol/coordinator/errors.js';
import type { Stat } from '../../../../src/protocol/coordinator/messages.js';
import {
  FrameError,
  WS_NESTING_DEPTH_MAX,
  checkNestingDepth,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
  messageText,
} from '../../../../src/protocol/coordinator/ws-codec.js';

const stat: Stat = {
  czxid: 3,
  mzxid: 4,
  ctime: 1_700_000_000_000,
  mtime: 1_700_000_000_001,
  version: 1,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0x1000000000000001n,
  dataLength: 2,
  numChildren: 0,
  pzxid: 3,
};

t.test('a connect message, with the defaults of the fields a client may leave out', async (t) => {
  t.same(decodeClientFrame('{"type":"connect","timeoutMs":4000}'), {
    type: 'connect',
    connect: {
      protocolVersion: 1,
      lastZxidSeen: 0,
      timeoutMs: 4000,
      sessionId: 0n,
      password: Buffer.alloc(16),
      readOnly: false,
    },
  });
  const resume = decodeClientFrame(
    '{"type":"connect","timeoutMs":4000,"sessionId":"0x1000000000000001","lastZxidSeen":9,' +
      `"password":"${Buffer.alloc(16, 7).toString('base64')}"}`,
  );
  t.match(resume, {
    connect: { sessionId: 0x1000000000000001n, lastZxidSeen: 9, password: Buffer.alloc(16, 7) },
  });
});

t.test('requests decode to the operations they name', async (t) => {
  t.same(
    decodeClientFrame('{"type":"request","xid":1,"op":"create","path":"/a","data":"aGk="}'),
    {
      type: 'request',
      xid: 1,
      request: {
        op: 'create',
        path: '/a',
        data: Buffer.from('hi'),
        acl: [{ perms: 31, scheme: 'world', id: 'anyone' }],
        mode: 'persistent',
      },
    },
    'default mode and the world:anyone ACL',
  );
  t.match(decodeClientFrame('{"type":"request","xid":2,"op":"getData","path":"/a","watch":true}'), {
    xid: 2,
    request: { op: 'getData', path: '/a', watch: true },
  });
  t.same(decodeClientFrame('{"type":"command","command":"ruok"}'), {
    type: 'command',
    command: 'ruok',
  });
});

t.test('what a client encodes, the server decodes to the same frame', async (t) => {
  const frames = [
    { type: 'request', xid: 5, request: { op: 'delete', path: '/a', version: 3 } },
    { type: 'request', xid: 6, request: { op: 'setData', path: '/a', data: null, version: -1 } },
    { type: 'request', xid: 7, request: { op: 'getChildren', path: '/', watch: false } },
    { type: 'request', xid: 8, request: { op: 'ping' } },
  ] as const;
  for (const frame of frames) {
    t.match(decodeClientFrame(encodeClientFrame(frame)), frame, frame.request.op);
  }
});

t.test('replies and events survive encodeServerFrame -> decodeServerFrame', async (t) => {
  const reply = encodeServerFrame({
    type: 'reply',
    xid: 3,
    zxid: 9,
    err: ErrorCode.OK,
    result: { data: Buffer.from('hi'), stat },
  });
  t.match(JSON.parse(reply), {
    type: 'reply',
    xid: 3,
    zxid: 9,
    err: ErrorCode.OK,
    data: 'aGk=',
    stat: { ephemeralOwner: '0x1000000000000001' },
  });
  t.same(decodeServerFrame(reply), {
    type: 'reply',
    xid: 3,
    zxid: 9,
    err: ErrorCode.OK,
    result: { data: Buffer.from('hi'), stat },
  });
  const failed = encodeServerFrame(
    { type: 'reply', xid: 4, zxid: 9, err: ErrorCode.NONODE, result: {} },
    errorName,
  );
  t.same(JSON.parse(failed), {
    type: 'reply',
    xid: 4,
    zxid: 9,
    err: ErrorCode.NONODE,
    error: 'NONODE',
  });
  const event = encodeServerFrame({
    type: 'event',
    event: { type: 'NodeDataChanged', path: '/a', zxid: 10 },
  });
  t.same(JSON.parse(event), {
    type: 'event',
    xid: -1,
    zxid: 10,
    event: 'NodeDataChanged',
    path: '/a',
  });
  t.same(decodeServerFrame(event), {
    type: 'event',
    event: { type: 'NodeDataChanged', path: '/a', zxid: 10 },
  });
});

t.test('bad client input is a FrameError, carrying the xid when it has one', async (t) => {
  const bad: [string, string, number | undefined][] = [
    ['not JSON', '{"type":', undefined],
    ['an array', '[1,2]', undefined],
    ['unknown type', '{"type":"hello"}', undefined],
    ['no timeout', '{"type":"connect"}', undefined],
    ['bad session id', '{"type":"connect","timeoutMs":1,"sessionId":"zz"}', undefined],
    ['unknown op', '{"type":"request","xid":4,"op":"explode"}', 4],
    ['path not a string', '{"type":"request","xid":5,"op":"exists","path":7}', 5],
    ['bad base64 type', '{"type":"request","xid":6,"op":"create","path":"/a","data":1}', 6],
    ['bad mode', '{"type":"request","xid":7,"op":"create","path":"/a","mode":"x"}', 7],
  ];
  for (const [name, text, xid] of bad) {
    t.throws(() => decodeClientFrame(text), FrameError, name);
    try {
      decodeClientFrame(text);
    } catch (err) {
      t.equal((err as FrameError).xid, xid, `${name}: xid`);
    }
  }
});

t.test('nesting deeper than WS_NESTING_DEPTH_MAX is refused before JSON.parse', async (t) => {
  // The deepest real message: a multi whose op carries an ACL, 5 levels.
  const multi =
    '{"type":"request","xid":9,"op":"multi","ops":[{"op":"create","path":"/a",' +
    '"acl":[{"perms":31,"scheme":"world","id":"anyone"}]}]}';
  t.equal(decodeClientFrame(multi).type, 'request', 'a multi with ACLs decodes');
  // A ping (level 1) carrying `depth - 1` more levels in a field the decoder ignores.
  const nested = (depth: number, open = '[', close = ']') =>
    '{"type":"request","xid":3,"op":"ping","x":' +
    `${open.repeat(depth - 1)}${close.repeat(depth - 1)}}`;
  t.equal(decodeClientFrame(nested(WS_NESTING_DEPTH_MAX)).type, 'request', 'at the bound');
  for (const [open, close] of [
    ['[', ']'],
    ['{"k":', '}'],
  ] as const) {
    t.throws(
      () => decodeClientFrame(nested(WS_NESTING_DEPTH_MAX + 1, open, close)),
      new FrameError(`message nests deeper than ${WS_NESTING_DEPTH_MAX} levels`),
      `one level more (${open}) is a FrameError`,
    );
  }
  // The fuzzer's 20,000 levels, in a connect message that is valid without them.
  const deep = `{"type":"connect","timeoutMs":4000,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
  t.doesNotThrow(() => JSON.parse(deep), 'valid JSON');
  t.throws(
    () => decodeClientFrame(deep),
    new FrameError(`message nests deeper than ${WS_NESTING_DEPTH_MAX} levels`),
    'refused',
  );
  t.equal(
    (() => {
      try {
        decodeClientFrame(deep);
      } catch (err) {
        return (err as FrameError).xid;
      }
    })(),
    undefined,
    'no xid: the server closes the connection',
  );
  // Brackets inside strings, escaped quotes and backslashes do not count.
  const inString = JSON.stringify({
    type: 'request',
    xid: 1,
    op: 'exists',
    path: '/[' + '['.repeat(100) + '\\"{{{' + '{'.repeat(100),
  });
  t.equal(decodeClientFrame(inString).type, 'request', 'brackets in a string');
  t.doesNotThrow(() => checkNestingDepth('"\\\\"' + '['.repeat(3), 3), 'a string ends at \\\\"');
  t.throws(() => checkNestingDepth('"\\\\"' + '['.repeat(4), 3), FrameError, 'and then counts');
  t.throws(() => checkNestingDepth('"\\"[["' + '['.repeat(4), 3), FrameError, 'escaped quote');
  t.doesNotThrow(() => checkNestingDepth('"\\"[[[[[[[[', 3), 'an unterminated string');
});

t.test('messageText decodes every shape a ws message comes in', async (t) => {
  t.equal(messageText(Buffer.from('{"a":1}')), '{"a":1}');
  t.equal(messageText([Buffer.from('{"a"'), Buffer.from(':1}')]), '{"a":1}', 'fragments');
  const arrayBuffer = new Uint8Array(Buffer.from('é')).buffer;
  t.equal(messageText(arrayBuffer), 'é', 'an ArrayBuffer, as UTF-8');
});
