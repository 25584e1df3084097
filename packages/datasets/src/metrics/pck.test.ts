import { describe, expect, it } from 'vitest';
import { MetricsError } from './errors';
import { endPointError, pckBbox } from './pck';

describe('pckBbox and endPointError', () => {
  // two instances, three joints; box max side 100 -> PCK@0.2 radius 20 pixels
  const input = {
    preds: [
      [
        [0, 0],
        [30, 40],
        [5, 5],
      ],
      [
        [10, 0],
        [0, 0],
        [0, 0],
      ],
    ],
    gts: [
      [
        [0, 0],
        [0, 0],
        [5, 17],
      ],
      [
        [0, 0],
        [0, 20],
        [0, 0],
      ],
    ],
    visible: [
      [2, 1, 2],
      [2, 2, 0],
    ],
  };
  const boxes = [
    [0, 0, 100, 50],
    [0, 0, 40, 100],
  ];

  it('PCK@0.2 of the box max side over visible joints', () => {
    const { pck, perJoint, count } = pckBbox(input, boxes);
    // distances: 0, 50, 12 | 10, 20 (at the limit: correct), invisible
    expect(count).toBe(5);
    expect(pck).toBe(4 / 5);
    expect([...perJoint]).toEqual([1, 0.5, 1]);
    expect(pckBbox(input, boxes, 0.1).pck).toBe(2 / 5);
  });

  it('EPE averages the visible joints only', () => {
    expect(endPointError(input)).toEqual({ epe: (0 + 50 + 12 + 10 + 20) / 5, count: 5 });
    expect(endPointError({ preds: [], gts: [], visible: [] }).epe).toBeNaN();
  });

  it('rejects mismatched shapes', () => {
    expect(() => endPointError({ ...input, visible: [[1, 1, 1]] })).toThrow(MetricsError);
    expect(() => pckBbox(input, [boxes[0]!])).toThrow(MetricsError);
  });
});
