import type { ResolvedTopDownConfig, TopDownSample } from './pipeline';
import type { JointsRecord } from './record';

/** `workerData` of a sample worker. */
export interface WorkerInit {
  readonly config: ResolvedTopDownConfig;
}

/** A request to a sample worker. */
export interface WorkerRequest {
  readonly id: number;
  readonly record: JointsRecord;
  readonly seeds: readonly [number, number, number];
}

/** A sample worker's answer: the sample, or the error it threw (`file` for image errors). */
export type WorkerResponse =
  | { readonly id: number; readonly sample: TopDownSample }
  | {
      readonly id: number;
      readonly error: { readonly name: string; readonly message: string; readonly file?: string };
    };
