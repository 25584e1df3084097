import { describe, expect, test, vi } from 'vitest';
import { UsageError } from '../errors';
import { trainCommand, trainHelp } from './train';

describe('hrnet train (arguments)', () => {
  test('--help prints the usage', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await trainCommand(['--help'])).toBe(0);
    expect(write).toHaveBeenCalledWith(trainHelp);
    write.mockRestore();
  });

  test.each([
    [[], /missing --config/],
    [['--config', 'w32-coco-256x192', '--backend', 'tpu'], /--backend tpu/],
    [['--config', 'w32-coco-256x192', '--seed', '1.5'], /--seed 1.5/],
  ])('%j is a usage error', async (args, message) => {
    const run = trainCommand(args);
    await expect(run).rejects.toThrow(UsageError);
    await expect(trainCommand(args)).rejects.toThrow(message);
  });

  test('a missing config file is named in the error', async () => {
    await expect(trainCommand(['--config', 'no/such.yaml'])).rejects.toThrow(/no\/such.yaml: no such file/);
  });
});
