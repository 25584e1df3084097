/**
 * Sample worker (node:worker_threads): decodes the image of each requested record and runs the
 * top-down pipeline, posting the sample back with its buffers transferred. Built as its own tsup
 * entry (`dist/worker.js`); started by `SampleWorkerPool`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ImageReadError } from './errors';
import { decodeImageFile } from './image-node';
import { topDownSample } from './pipeline';
import { Rng } from './rng';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './worker-protocol';

const { config } = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('@hrnet/datasets worker must run in a worker thread');

port.on('message', (request: WorkerRequest) => {
  const { id, record, seeds } = request;
  decodeImageFile(record.image)
    .then((image) => topDownSample(record, image, config, new Rng(...seeds)))
    .then((sample) => {
      const response: WorkerResponse = { id, sample };
      port.postMessage(response, [
        sample.image.buffer as ArrayBuffer,
        sample.target.buffer as ArrayBuffer,
        sample.targetWeight.buffer as ArrayBuffer,
      ]);
    })
    .catch((error: unknown) => {
      const err = error as Error;
      const response: WorkerResponse = {
        id,
        error: {
          name: err.name,
          message: err.message,
          ...(error instanceof ImageReadError ? { file: error.file } : {}),
        },
      };
      port.postMessage(response);
    });
});
