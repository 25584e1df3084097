import * as tf from '@tensorflow/tfjs-core';

/** Adam hyper-parameters, PyTorch's `torch.optim.Adam` defaults unless given. */
export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty added to the gradient (PyTorch's `weight_decay`, not AdamW's decoupled decay). */
  weightDecay?: number;
}

/** The serialisable state of {@link Adam}: step count and both moment estimates per variable. */
export interface AdamState {
  step: number;
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

/**
 * Adam with exactly PyTorch's update rule (`torch.optim.Adam`, `amsgrad=False`):
 * `p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`. The learning rate can change between steps
 * (LR schedules), and the state can be saved and restored for resumable training.
 */
export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private step = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(
    private readonly variables: readonly tf.Variable[],
    options: AdamOptions = {},
  ) {
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    // The scope frees the zeros; the variables keep their own copies.
    this.m = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
    this.v = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
  }

  /** Applies one update; `gradients[i]` belongs to the i-th variable given to the constructor. */
  applyGradients(gradients: readonly tf.Tensor[]): void {
    if (gradients.length !== this.variables.length) {
      throw new Error(`Adam: got ${gradients.length} gradients for ${this.variables.length} variables`);
    }
    this.step += 1;
    const bias1 = 1 - this.beta1 ** this.step;
    const bias2Sqrt = Math.sqrt(1 - this.beta2 ** this.step);
    const stepSize = this.lr / bias1;
    tf.tidy(() => {
      this.variables.forEach((param, i) => {
        let g = gradients[i]!;
        if (this.weightDecay !== 0) g = tf.add(g, tf.mul(param, this.weightDecay));
        const m = tf.add(tf.mul(this.m[i]!, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i]!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), bias2Sqrt), this.eps);
        param.assign(tf.sub(param, tf.mul(tf.div(m, denom), stepSize)));
      });
    });
  }

  /** A copy of the optimizer state (for checkpoints). */
  getState(): AdamState {
    return {
      step: this.step,
      firstMoments: this.m.map((t) => Float32Array.from(t.dataSync())),
      secondMoments: this.v.map((t) => Float32Array.from(t.dataSync())),
    };
  }

  /** Restores a state saved by {@link getState}; shapes must match the variables. */
  setState(state: AdamState): void {
    const check = (moments: Float32Array[], what: string) => {
      if (moments.length !== this.variables.length) {
        throw new Error(
          `Adam state: ${what} has ${moments.length} tensors for ${this.variables.length} variables`,
        );
      }
      moments.forEach((data, i) => {
        if (data.length !== this.variables[i]!.size) {
          throw new Error(
            `Adam state: ${what}[${i}] has ${data.length} values, variable has ${this.variables[i]!.size}`,
          );
        }
      });
    };
    check(state.firstMoments, 'firstMoments');
    check(state.secondMoments, 'secondMoments');
    this.step = state.step;
    tf.tidy(() => {
      this.m.forEach((t, i) => {
        t.assign(tf.tensor(state.firstMoments[i]!, t.shape));
      });
      this.v.forEach((t, i) => {
        t.assign(tf.tensor(state.secondMoments[i]!, t.shape));
      });
    });
  }

  /** Frees the moment estimates. */
  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
