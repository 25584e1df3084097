import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DatasetError, ImageReadError } from './errors';
import type { ResolvedTopDownConfig, TopDownSample } from './pipeline';
import type { JointsRecord } from './record';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './worker-protocol';

interface Pending {
  readonly resolve: (sample: TopDownSample) => void;
  readonly reject: (error: Error) => void;
}

/**
 * How to start the worker entry, which lives next to this module. From the build it is
 * `dist/worker.js`. Run from source (`.ts`, under vitest or tsx) it is `worker.ts`, started by a
 * small CommonJS bootstrap that registers tsx's require hook first (Node 20 does not apply
 * `--import tsx` loader hooks inside worker threads), with the `@hrnet/source` condition so
 * workspace packages resolve to their sources too.
 */
function startWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), { workerData: init });
  const tsx = createRequire(here).resolve('tsx/cjs');
  const entry = fileURLToPath(new URL('./worker.ts', here));
  const bootstrap = `require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { eval: true, workerData: init, execArgv: ['--conditions=@hrnet/source'] });
}

/**
 * A pool of `node:worker_threads` workers that decode images (sharp) and run the top-down pipeline.
 * Requests go to the least busy worker; answers come back with their buffers transferred.
 */
export class SampleWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, Pending & { worker: number }>();
  private nextId = 0;
  private closed = false;

  /** @param size - number of worker threads (at least 1). */
  constructor(
    config: ResolvedTopDownConfig,
    readonly size: number,
  ) {
    if (!(Number.isInteger(size) && size >= 1))
      throw new DatasetError(`workers must be a positive integer, got ${size}`);
    const init: WorkerInit = { config };
    for (let w = 0; w < size; w++) {
      const worker = startWorker(init);
      worker.on('message', (response: WorkerResponse) => this.settle(w, response));
      worker.on('error', (error) => this.failWorker(w, error));
      worker.on('exit', (code) => {
        if (!this.closed) this.failWorker(w, new DatasetError(`sample worker ${w} exited with code ${code}`));
      });
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  /** Decodes `record.image` and runs the pipeline in a worker, seeded by `seeds`. */
  sample(record: JointsRecord, seeds: readonly [number, number, number]): Promise<TopDownSample> {
    if (this.closed) return Promise.reject(new DatasetError('SampleWorkerPool is closed'));
    let w = 0;
    for (let i = 1; i < this.load.length; i++) if ((this.load[i] as number) < (this.load[w] as number)) w = i;
    const id = this.nextId++;
    this.load[w] = (this.load[w] as number) + 1;
    return new Promise<TopDownSample>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      const request: WorkerRequest = { id, record, seeds };
      (this.workers[w] as Worker).postMessage(request);
    });
  }

  /** Stops the workers; pending requests are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      p.reject(new DatasetError('SampleWorkerPool closed before the sample was ready'));
      this.pending.delete(id);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(w: number, response: WorkerResponse): void {
    const p = this.pending.get(response.id);
    if (!p) return;
    this.pending.delete(response.id);
    this.load[w] = (this.load[w] as number) - 1;
    if ('sample' in response) {
      p.resolve(response.sample);
      return;
    }
    const { name, message, file } = response.error;
    if (file !== undefined) {
      const error = new ImageReadError(file, '');
      error.message = message;
      p.reject(error);
    } else {
      p.reject(new DatasetError(`sample worker: ${name}: ${message}`));
    }
  }

  private failWorker(w: number, error: Error): void {
    for (const [id, p] of this.pending) {
      if (p.worker !== w) continue;
      this.pending.delete(id);
      p.reject(new DatasetError(`sample worker ${w} failed: ${error.message}`, { cause: error }));
    }
    this.load[w] = 0;
  }
}
