import { COCO_KEYPOINTS, MPII_KEYPOINTS } from '@hrnet/decode';
import { describe, expect, it } from 'vitest';
import { fliplrJoints, sampleAugmentation } from './augment';
import { halfBodyTransform } from './half-body';
import type { JointsRecord } from './record';
import { Rng } from './rng';

describe('Rng', () => {
  it('is reproducible per seed and has the right moments', () => {
    const a = new Rng(7, 1, 2);
    const b = new Rng(7, 1, 2);
    const c = new Rng(7, 1, 3);
    const xs = Array.from({ length: 5 }, () => a.random());
    expect(Array.from({ length: 5 }, () => b.random())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.random())).not.toEqual(xs);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let u = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const z = a.randn();
      s += z;
      s2 += z * z;
      const r = a.random();
      if (!(r >= 0 && r < 1)) outside++;
      u += r;
    }
    expect(outside).toBe(0);
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
    expect(Math.abs(u / n - 0.5)).toBeLessThan(0.005);
  });
});

describe('fliplrJoints (official fliplr_joints)', () => {
  it('mirrors x, swaps pairs, zeroes unlabelled joints', () => {
    const joints = new Float64Array(34).map((_, i) => i + 1);
    const vis = new Float64Array(17).fill(1);
    vis[2] = 0;
    const out = fliplrJoints(joints, vis, 100, COCO_KEYPOINTS.flipPairs);
    // joint 0 stays: x = 100 - 1 - 1 = 98.
    expect([out.joints[0], out.joints[1]]).toEqual([98, 2]);
    // joint 1 <- joint 2 (invisible): visibility 0, coordinates zeroed.
    expect(out.jointsVis[1]).toBe(0);
    expect([out.joints[2], out.joints[3]]).toEqual([0, 0]);
    // joint 2 <- joint 1 = (3, 4) -> (96, 4).
    expect([out.joints[4], out.joints[5]]).toEqual([96, 4]);
  });
});

describe('halfBodyTransform (official half_body_transform)', () => {
  it('boxes the upper or lower body with x1.5 scale', () => {
    const joints = new Float64Array(32);
    for (let k = 0; k < 16; k++) {
      joints[2 * k] = 100 + k * 2;
      joints[2 * k + 1] = k < 7 ? 300 + k * 10 : 100 + k * 5;
    }
    const vis = new Float64Array(16).fill(1);
    const seen = new Set<string>();
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++) {
      const hb = halfBodyTransform(joints, vis, MPII_KEYPOINTS.upperBody, 0.75, rng);
      expect(hb).not.toBeNull();
      seen.add(hb!.center[1] > 250 ? 'lower' : 'upper');
    }
    expect(seen).toEqual(new Set(['upper', 'lower']));
    // Lower body: joints 0..6, x 100..112, y 300..360 -> h 60, w = 45; scale 45/200*1.5.
    const lower = [...Array(40)]
      .map(() => halfBodyTransform(joints, vis, MPII_KEYPOINTS.upperBody, 0.75, rng)!)
      .find((h) => h.center[1] > 250)!;
    expect(lower.center).toEqual([106, 330]);
    expect(lower.scale[0]).toBeCloseTo(0.3375, 6);
    expect(lower.scale[1]).toBeCloseTo(0.45, 6);
  });

  it('returns null with fewer than 2 selected joints', () => {
    const vis = new Float64Array(16);
    vis[9] = 1;
    expect(
      halfBodyTransform(new Float64Array(32), vis, MPII_KEYPOINTS.upperBody, 0.75, new Rng(1)),
    ).toBeNull();
  });
});

describe('sampleAugmentation', () => {
  const record: JointsRecord = {
    image: 'x.jpg',
    imageId: 1,
    center: [200, 150],
    scale: [1, 4 / 3],
    joints: new Float64Array(34).fill(100),
    jointsVis: new Float64Array(17).fill(1),
    score: 1,
  };
  it('draws scale, rotation and flip in the official ranges and rates', () => {
    const rng = new Rng(11);
    let rotated = 0;
    let flipped = 0;
    let halfBody = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const a = sampleAugmentation(record, 640, COCO_KEYPOINTS, 0.75, {}, rng);
      // all joints equal -> half-body boxes have zero size: scale 0.
      if (a.scale[0] === 0) {
        halfBody++;
        continue;
      }
      const s = a.scale[0] / record.scale[0];
      expect(s).toBeGreaterThanOrEqual(0.65 - 1e-12);
      expect(s).toBeLessThanOrEqual(1.35 + 1e-12);
      expect(Math.abs(a.rotation)).toBeLessThanOrEqual(90);
      if (a.rotation !== 0) rotated++;
      if (a.flip) {
        flipped++;
        expect(a.center[0]).toBe(640 - 200 - 1);
      }
    }
    const m = n - halfBody;
    expect(halfBody / n).toBeCloseTo(0.3, 1);
    expect(rotated / m).toBeCloseTo(0.6, 1);
    expect(flipped / m).toBeCloseTo(0.5, 1);
  });
});
