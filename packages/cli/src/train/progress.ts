import type { StepRecord } from './log';

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * The per-epoch progress bar: `epoch 3/210 [#####.....] 120/462 loss 0.00123 lr 1.0e-3 52.1 img/s ETA 01:05`,
 * redrawn in place. Only on a terminal: {@link create} returns undefined for pipes, files and CI logs.
 */
export class ProgressBar {
  private constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly epochs: number,
  ) {}

  /** A bar on `stream` if it is a TTY, else undefined. */
  static create(epochs: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar | undefined {
    return stream.isTTY ? new ProgressBar(stream, epochs) : undefined;
  }

  /** Redraws the bar after a step; `secondsPerStep` is the epoch's running mean. */
  step(record: StepRecord, runningLoss: number, secondsPerStep: number): void {
    const width = 24;
    const done = record.step + 1;
    const filled = Math.round((done / record.steps) * width);
    const eta = (record.steps - done) * secondsPerStep;
    const line =
      `epoch ${record.epoch + 1}/${this.epochs} [${'#'.repeat(filled).padEnd(width, '.')}] ${done}/${record.steps} ` +
      `loss ${runningLoss.toPrecision(4)} lr ${record.lr.toExponential(1)} ` +
      `${record.imagesPerSecond.toFixed(1)} img/s ETA ${duration(eta)}`;
    const columns = this.stream.columns ?? 120;
    this.stream.write(`\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, line.length))}\x1b[K`);
  }

  /** Ends the epoch's line. */
  end(): void {
    this.stream.write('\n');
  }
}
