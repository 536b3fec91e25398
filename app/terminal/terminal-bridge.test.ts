import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TERMINAL_FRAME, encodeAck, encodeResize, encodeTerminalFrame } from '../api/contract.js';
import { TerminalBridge, type TerminalChannel, type TerminalProcess } from './terminal-bridge.js';
import { TerminalRegistry } from './terminal-registry.js';

class FakeProcess implements TerminalProcess {
  data: Array<(d: string) => void> = [];
  exits: Array<(c: number) => void> = [];
  log: string[] = [];
  onData(l: (d: string) => void) {
    this.data.push(l);
    return () => (this.data = this.data.filter((x) => x !== l));
  }
  onExit(l: (c: number) => void) {
    this.exits.push(l);
    return () => (this.exits = this.exits.filter((x) => x !== l));
  }
  write(d: string | Uint8Array) {
    this.log.push(`write:${typeof d === 'string' ? d : new TextDecoder().decode(d)}`);
  }
  resize(c: number, r: number) {
    this.log.push(`resize:${c}x${r}`);
  }
  pause() {
    this.log.push('pause');
  }
  resume() {
    this.log.push('resume');
  }
  close() {
    this.log.push('close');
  }
  emit(d: string) {
    for (const l of this.data) l(d);
  }
  exit(code: number) {
    for (const l of [...this.exits]) l(code);
  }
}

class FakeChannel implements TerminalChannel {
  frames: Uint8Array[] = [];
  closed = false;
  send(f: Uint8Array) {
    this.frames.push(f);
  }
  bufferedAmount() {
    return 0;
  }
  close() {
    this.closed = true;
  }
  controls(): unknown[] {
    return this.frames.filter((f) => f[0] === TERMINAL_FRAME.control).map((f) => JSON.parse(new TextDecoder().decode(f.subarray(1))));
  }
}

const nextTurn = () => new Promise((r) => setImmediate(r));

test('a bridge says ready, relays input, resizes and output both ways, and reports the exit', async () => {
  const proc = new FakeProcess();
  const ch = new FakeChannel();
  const bridge = new TerminalBridge('s1', proc, ch);
  bridge.receive(encodeTerminalFrame(TERMINAL_FRAME.data, new TextEncoder().encode('ls\r')));
  bridge.receive(encodeResize(132, 40));
  bridge.receive(encodeResize(0, 40)); // refused: out of range
  bridge.receive(new Uint8Array([9, 9])); // unknown type: dropped
  proc.emit('héllo');
  await nextTurn();
  const data = ch.frames.find((f) => f[0] === TERMINAL_FRAME.data);
  assert.equal(new TextDecoder().decode(data?.subarray(1)), 'héllo');
  proc.exit(3);
  assert.deepEqual(ch.controls(), [{ type: 'ready', session: 's1' }, { type: 'exit', code: 3 }]);
  assert.equal(ch.closed, true);
  assert.deepEqual(proc.log, ['write:ls\r', 'resize:132x40']);
});

test('output beyond the high mark pauses the pty until acks bring it under the low mark', () => {
  const proc = new FakeProcess();
  const bridge = new TerminalBridge('s2', proc, new FakeChannel(), { high: 1000, low: 100, maxBatch: 1 });
  for (let i = 0; i < 11; i++) proc.emit('x'.repeat(100));
  assert.deepEqual(proc.log, ['pause']);
  assert.equal(bridge.paused, true);
  bridge.receive(encodeAck(500));
  assert.deepEqual(proc.log, ['pause']);
  bridge.receive(encodeAck(550));
  assert.deepEqual(proc.log, ['pause', 'resume']);
  bridge.close();
  assert.deepEqual(proc.log, ['pause', 'resume', 'close']);
});

test('chunks of one event-loop turn go out as one frame, a large burst in frames of at most maxBatch, and output before the exit is not lost', async () => {
  const proc = new FakeProcess();
  const ch = new FakeChannel();
  new TerminalBridge('s3', proc, ch, { maxBatch: 1000 });
  for (let i = 0; i < 5; i++) proc.emit('y'.repeat(100));
  assert.equal(ch.frames.filter((f) => f[0] === TERMINAL_FRAME.data).length, 0, 'nothing sent within the turn');
  await nextTurn();
  const first = ch.frames.filter((f) => f[0] === TERMINAL_FRAME.data);
  assert.equal(first.length, 1);
  assert.equal(first[0]?.length, 501);
  for (let i = 0; i < 25; i++) proc.emit('z'.repeat(100));
  const during = ch.frames.filter((f) => f[0] === TERMINAL_FRAME.data).length;
  assert.equal(during, 3, 'two full batches of 1000 bytes went out at once, plus the first frame');
  proc.emit('tail');
  proc.exit(0);
  const all = ch.frames.filter((f) => f[0] === TERMINAL_FRAME.data).map((f) => new TextDecoder().decode(f.subarray(1))).join('');
  assert.equal(all, 'y'.repeat(500) + 'z'.repeat(2500) + 'tail');
  assert.deepEqual(ch.controls().at(-1), { type: 'exit', code: 0 });
});

test('a lone keystroke echo after streamed output goes out in the next turn, not after the streaming batch delay', async () => {
  const proc = new FakeProcess();
  const ch = new FakeChannel();
  new TerminalBridge('s4', proc, ch);
  const data = () => ch.frames.filter((f) => f[0] === TERMINAL_FRAME.data).map((f) => new TextDecoder().decode(f.subarray(1)));
  proc.emit('output');
  await nextTurn();
  assert.deepEqual(data(), ['output']);
  await new Promise((r) => setTimeout(r, 20));
  proc.emit('k');
  await nextTurn();
  assert.deepEqual(data(), ['output', 'k']);
});

test('the registry refuses through its precheck with the engine code and never spawns', async () => {
  let spawned = 0;
  const reg = new TerminalRegistry({
    cli: ['cove'],
    precheck: async () => ({ code: 'E_CONTAINER_NOT_RUNNING', message: 'not running' }),
    spawn: () => {
      spawned++;
      return new FakeProcess();
    },
  });
  const ch = new FakeChannel();
  assert.equal(await reg.open({ container: 'c', mode: 'exec', cols: 80, rows: 24 }, ch), null);
  assert.equal(spawned, 0);
  assert.deepEqual(ch.controls(), [{ type: 'error', error: { code: 'E_CONTAINER_NOT_RUNNING', message: 'not running' } }]);
  assert.equal(ch.closed, true);
});
