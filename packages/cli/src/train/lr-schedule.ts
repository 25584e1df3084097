/**
 * PyTorch's `MultiStepLR(optimizer, milestones, gamma)` as the official `train.py` steps it (once at the end
 * of every epoch): the learning rate of epoch `epoch` is `lr * gamma^(number of milestones <= epoch)`.
 * Computed from the epoch alone, so a resumed run lands at the same position of the schedule.
 */
export function multiStepLr(lr: number, milestones: readonly number[], gamma: number, epoch: number): number {
  const passed = milestones.filter((m) => m <= epoch).length;
  return lr * gamma ** passed;
}
