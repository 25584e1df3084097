import * as tf from '@tensorflow/tfjs-core';
import { convert, convertHelp } from './commands/convert';
import { evalCommand, evalHelp } from './commands/eval';
import { infer, inferHelp } from './commands/infer';
import { predict, predictHelp } from './commands/predict';
import { trainCommand, trainHelp } from './commands/train';
import { UsageError } from './errors';

const commands: Record<string, { run: (args: string[]) => Promise<number>; summary: string; help: string }> =
  {
    predict: { run: predict, summary: 'poses of images as JSON and rendered PNGs', help: predictHelp },
    infer: { run: infer, summary: 'raw network forward of an NCHW .npy tensor', help: inferHelp },
    convert: { run: convert, summary: 'PyTorch checkpoint to a tfjs weights folder', help: convertHelp },
    eval: {
      run: evalCommand,
      summary: 'COCO keypoint AP/AR of a results file or of a model',
      help: evalHelp,
    },
    train: { run: trainCommand, summary: 'train with the official recipe (resumable)', help: trainHelp },
  };

const usage = `Usage: hrnet <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run 'hrnet <command> --help' for a command's options and examples.
`;

/** Prints an error as one line: the CLI never dumps stack traces for bad input. */
function reportError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const oneLine = message.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ');
  process.stderr.write(`hrnet: error: ${oneLine}\n`);
}

/**
 * Runs the `hrnet` command line with the given arguments (without `node` and the script path) and returns
 * the exit code: 0 on success, 1 on failure, 2 on a usage error.
 */
export async function main(argv: string[]): Promise<number> {
  // Production mode: no debug checks and no console advertising of tfjs-node.
  tf.enableProdMode();
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    reportError(new UsageError(`unknown command '${name}'; run 'hrnet --help'`));
    return 2;
  }
  try {
    return await command.run(args);
  } catch (error) {
    reportError(error);
    const usageError =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    return usageError ? 2 : 1;
  }
}
