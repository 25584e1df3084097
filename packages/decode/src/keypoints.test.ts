import { describe, expect, it } from 'vitest';
import { COCO_KEYPOINTS, defineKeypointSet, MPII_KEYPOINTS } from './keypoints';

describe('keypoint sets', () => {
  it.each([COCO_KEYPOINTS, MPII_KEYPOINTS])('$name is consistent', (set) => {
    const k = set.keypoints.length;
    expect(set.sigmas).toHaveLength(k);
    expect([...set.upperBody, ...set.lowerBody].sort((a, b) => a - b)).toEqual([...Array(k).keys()]);
    for (const [a, b] of set.flipPairs) {
      // A flip pair swaps left and right of the same body part.
      expect(set.keypoints[a]!.replace(/left|right/, '')).toBe(set.keypoints[b]!.replace(/left|right/, ''));
    }
    for (const edge of set.skeleton) {
      expect(edge.from).toBeLessThan(k);
      expect(edge.to).toBeLessThan(k);
    }
  });

  it('COCO matches the official flip pairs and COCO sigmas', () => {
    expect(COCO_KEYPOINTS.flipPairs).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
      [9, 10],
      [11, 12],
      [13, 14],
      [15, 16],
    ]);
    expect(COCO_KEYPOINTS.sigmas[11]).toBe(0.107);
    expect(COCO_KEYPOINTS.skeleton).toHaveLength(19);
    expect(MPII_KEYPOINTS.flipPairs).toEqual([
      [0, 5],
      [1, 4],
      [2, 3],
      [10, 15],
      [11, 14],
      [12, 13],
    ]);
  });

  it('defines a custom set with names resolved to indices', () => {
    const hand = defineKeypointSet({
      name: 'mini',
      keypoints: ['left_a', 'right_a', 'mid'],
      flipPairs: [['left_a', 'right_a']],
      skeleton: [
        { from: 'left_a', to: 'mid', color: [1, 2, 3] },
        { from: 1, to: 2 },
      ],
      upperBody: ['mid'],
    });
    expect(hand.flipPairs).toEqual([[0, 1]]);
    expect(hand.skeleton[0]).toEqual({ from: 0, to: 2, color: [1, 2, 3] });
    expect(hand.sigmas).toEqual([0.025, 0.025, 0.025]);
    expect(hand.upperBody).toEqual([2]);
  });

  it('rejects invalid sets with a message', () => {
    expect(() => defineKeypointSet({ name: 'x', keypoints: ['a', 'a'] })).toThrow('duplicate');
    expect(() => defineKeypointSet({ name: 'x', keypoints: ['a', 'b'], flipPairs: [['a', 'c']] })).toThrow(
      'keypoint set x: flip pair refers to unknown keypoint c',
    );
    expect(() => defineKeypointSet({ name: 'x', keypoints: ['a', 'b'], sigmas: [0.1] })).toThrow(
      'keypoint set x has 2 keypoints but 1 sigmas',
    );
    expect(() =>
      defineKeypointSet({
        name: 'x',
        keypoints: ['a', 'b', 'c'],
        flipPairs: [
          [0, 1],
          [1, 2],
        ],
      }),
    ).toThrow('more than one flip pair');
  });
});
