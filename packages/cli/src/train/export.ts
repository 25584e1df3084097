import { stateDict } from '@hrnet/layers';
import { saveConvertedCheckpoint } from '@hrnet/models-zoo/node';
import type { TrainingSession } from './session';

/**
 * Exports the network as a tfjs weights folder in the model zoo's converted-checkpoint layout (model.json with
 * the HRNet config in its metadata, PyTorch key names and layouts), loadable by `hrnet infer --model <dir>` and
 * `loadConvertedCheckpoint`. The folder appears atomically.
 */
export async function exportWeights(dir: string, session: TrainingSession, source: string): Promise<void> {
  await saveConvertedCheckpoint(dir, stateDict(session.net), session.net.config, { checkpoint: source });
}
