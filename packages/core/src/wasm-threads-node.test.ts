import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { BackendError, setBackend } from './backend';
import { seededConv } from './wasm-threads-node.child';

type WasmModule = { getThreadsCount(): number };

/** Runs the child script with `threads` and returns what it printed. */
function runChild(threads: number): { threads: number; bytes: string } {
  const child = fileURLToPath(new URL('./wasm-threads-node.child.ts', import.meta.url));
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@hrnet/source', child, String(threads)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 },
  );
  return JSON.parse(out) as { threads: number; bytes: string };
}

afterAll(async () => {
  await setBackend('cpu');
});

describe('wasm backend in Node', () => {
  test('runs one XNNPACK thread per core by default (at most 8)', async () => {
    await setBackend('wasm');
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as WasmModule;
    expect(wasm.getThreadsCount()).toBe(Math.min(availableParallelism(), 8));
  });

  test('threaded results are bitwise equal to the single-threaded build', async () => {
    await setBackend('wasm');
    const data = (await seededConv().data()) as Float32Array;
    const threaded = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
    const single = runChild(1);
    expect(single.threads).toBe(1);
    expect(threaded).toBe(single.bytes);
    // Not all zeros: the comparison means something.
    expect(data.some((v) => v > 0)).toBe(true);
  });

  test('two threads start from a fresh process, and match too', () => {
    const two = runChild(2);
    expect(two.threads).toBe(2);
    expect(two.bytes).toBe(runChild(1).bytes);
  });

  test('a different thread count once the backend runs is a clear error', async () => {
    await setBackend('wasm');
    const running = ((await import('@tensorflow/tfjs-backend-wasm')) as WasmModule).getThreadsCount();
    await expect(setBackend('wasm', { threads: running === 1 ? 2 : 1 })).rejects.toThrow(
      /already runs with \d+ thread\(s\); choose threads before its first start/,
    );
  });

  test.each([0, 9, 1.5])('threads %s is rejected', async (threads) => {
    await expect(setBackend('wasm', { threads })).rejects.toThrow(BackendError);
    await expect(setBackend('wasm', { threads })).rejects.toThrow(/integer from 1 to 8/);
  });
});
