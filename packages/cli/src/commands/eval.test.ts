import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hrnetFails as hrnetCommandFails, runHrnet } from '../../../../testing/cli';
import { dataPath, referencePath } from '../../../../testing/shared';

/** `hrnet eval` with the given arguments. */
const hrnet = (args: string[]) => runHrnet(['eval', ...args]);
const hrnetFails = (args: string[]) => hrnetCommandFails(['eval', ...args]);
const annotations = dataPath('coco-sample', 'test_coco.json');
const tmp = mkdtempSync(join(tmpdir(), 'hrnet-eval-'));

interface CocoEvalFixture {
  readonly cases: readonly { readonly results: string; readonly stats: readonly number[] }[];
}

describe('hrnet eval --results', () => {
  const fixture = JSON.parse(
    readFileSync(referencePath('coco-eval', 'coco-eval.json'), 'utf8'),
  ) as CocoEvalFixture;

  test.each(fixture.cases.map((c) => [c.results, c.stats] as const))(
    '%s: --json stats equal pycocotools within 1e-9',
    async (file, expected) => {
      const { stdout } = await hrnet([
        '--annotations',
        annotations,
        '--results',
        referencePath('coco-eval', file),
        '--json',
      ]);
      const { stats, names } = JSON.parse(stdout) as { stats: number[]; names: string[] };
      expect(names).toEqual([
        'AP',
        'AP .5',
        'AP .75',
        'AP (M)',
        'AP (L)',
        'AR',
        'AR .5',
        'AR .75',
        'AR (M)',
        'AR (L)',
      ]);
      expect(stats).toHaveLength(10);
      stats.forEach((s, i) => {
        expect(Math.abs(s - expected[i]!)).toBeLessThanOrEqual(1e-9);
      });
    },
  );

  test('prints a table by default', async () => {
    const { stdout } = await hrnet([
      '--annotations',
      annotations,
      '--results',
      referencePath('coco-eval', 'results-0.json'),
    ]);
    expect(stdout).toMatch(/^AP\s+0\.824$/m);
    expect(stdout).toMatch(/^AR \(L\)\s+0\.714$/m);
  });

  test('--help shows examples', async () => {
    const { stdout } = await hrnet(['--help']);
    expect(stdout).toMatch(/Examples:\n {2}hrnet eval --annotations/);
  });

  test('one-line errors and non-zero exit codes', async () => {
    const missing = await hrnetFails(['--annotations', annotations, '--results', join(tmp, 'absent.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`hrnet: error: --results ${join(tmp, 'absent.json')}: file not found\n`);

    const noKeypoints = join(tmp, 'results.json');
    const entry = { image_id: 785, category_id: 1, keypoints: [1, 2, 3], score: 1 };
    writeFileSync(noKeypoints, JSON.stringify([entry, entry, entry, { ...entry, keypoints: undefined }]));
    const format = await hrnetFails(['--annotations', annotations, '--results', noKeypoints]);
    expect(format.code).toBe(1);
    expect(format.stderr).toBe(`hrnet: error: ${noKeypoints}: entry 3 has no keypoints\n`);

    const noAnnotations = join(tmp, 'ann.json');
    writeFileSync(noAnnotations, JSON.stringify({ images: [], categories: [] }));
    const ann = await hrnetFails(['--annotations', noAnnotations, '--results', noKeypoints]);
    expect(ann.stderr).toBe(`hrnet: error: ${noAnnotations}: missing 'annotations'\n`);

    const usage = await hrnetFails(['--annotations', annotations]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/give --results <file>, or --images <dir> with a model/);
  });
});
