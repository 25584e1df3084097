import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referencePath } from '../../../../testing/shared';
import { MetricsError } from './errors';
import { evaluateMpiiPckh } from './mpii-pckh';

interface PckhFixture {
  readonly dataset_joints: string[];
  readonly preds: number[][][];
  readonly pos_gt_src: number[][][];
  readonly headboxes_src: number[][][];
  readonly jnt_missing: number[][];
  readonly result: [string, number][];
  readonly mean: number;
}

describe('evaluateMpiiPckh against the official mpii.py evaluate()', () => {
  const fixture = JSON.parse(readFileSync(referencePath('mpii-pckh', 'pckh.json'), 'utf8')) as PckhFixture;
  const gt = {
    datasetJoints: fixture.dataset_joints,
    posGtSrc: fixture.pos_gt_src,
    headboxesSrc: fixture.headboxes_src,
    jntMissing: fixture.jnt_missing,
  };

  it('reproduces the Head ... Ankle, Mean, Mean@0.1 table', () => {
    const result = evaluateMpiiPckh(fixture.preds, gt);
    expect(result.nameValue.map(([name]) => name)).toEqual(fixture.result.map(([name]) => name));
    for (const [i, [, value]] of result.nameValue.entries()) {
      expect(Math.abs(value - fixture.result[i]![1])).toBeLessThanOrEqual(1e-9);
    }
    expect(Math.abs(result.mean - fixture.mean)).toBeLessThanOrEqual(1e-9);
    expect(result.thresholds).toHaveLength(51);
    expect(result.pckAll[50]).toEqual(result.pckh);
  });

  it('rejects mismatched sizes', () => {
    expect(() => evaluateMpiiPckh(fixture.preds.slice(1), gt)).toThrow(MetricsError);
  });
});

describe('evaluateMpiiPckh hand-made case', () => {
  // 2 persons, 16 joints; head box diagonal 10 / 0.6 -> head size 10 pixels
  const joints = [
    'rank',
    'rkne',
    'rhip',
    'lhip',
    'lkne',
    'lank',
    'pelv',
    'thor',
    'neck',
    'head',
    'rwri',
    'relb',
    'rsho',
    'lsho',
    'lelb',
    'lwri',
  ];
  const side = 10 / 0.6 / Math.SQRT2;
  const gt = {
    datasetJoints: joints,
    posGtSrc: joints.map(() => [
      [11, 21],
      [11, 21],
    ]),
    headboxesSrc: [
      [
        [0, 0],
        [0, 0],
      ],
      [
        [side, side],
        [side, side],
      ],
    ],
    // person 1's head is missing
    jntMissing: joints.map((name) => [0, name === 'head' ? 1 : 0]),
  };

  it('counts joints within half the head size among the annotated ones', () => {
    // 0-based predictions; gt is 1-based: person 0 is exact, person 1 is 6 pixels off (> 0.5 * 10)
    const preds = [joints.map(() => [10, 10]), joints.map(() => [26, 20])];
    const { nameValue, pckh } = evaluateMpiiPckh(preds, gt);
    expect(pckh[joints.indexOf('head')]).toBe(100);
    expect(pckh[joints.indexOf('lank')]).toBe(50);
    const table = Object.fromEntries(nameValue);
    expect(table.Shoulder).toBe(50);
    // Mean: (100 * 1 + 50 * 2 * 13) / (1 + 2 * 13) over the 14 unmasked joints
    expect(table.Mean).toBeCloseTo(1400 / 27, 12);
  });
});
