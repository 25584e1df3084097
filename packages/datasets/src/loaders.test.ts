import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boxToCenterScale } from '@hrnet/decode';
import { describe, expect, it } from 'vitest';
import { parseCocoKeypoints } from './coco';
import { cocoImageFileName, parseCocoDetections } from './detections';
import { AnnotationError } from './errors';
import { loadCocoDetections, loadCocoKeypoints, loadMpii } from './loader-node';
import { parseMpii } from './mpii';
import { dataPath, readJsonFile } from './test-utils';

const cocoDir = dataPath('coco-sample');
const cocoJson = readJsonFile<{ annotations: Array<Record<string, unknown>>; images: unknown[] }>(
  join(cocoDir, 'test_coco.json'),
);

describe('COCO keypoints loader', () => {
  it('reads test_coco.json: 14 annotations, the 2 without keypoints dropped', async () => {
    const coco = await loadCocoKeypoints(join(cocoDir, 'test_coco.json'), { imageDir: cocoDir });
    expect(coco.images.map((i) => i.id)).toEqual([785, 40083, 196141, 197388]);
    expect(coco.records).toHaveLength(12);
    expect(coco.dropped).toBe(2);
    expect(coco.records.map((r) => r.imageId)).toEqual([
      785, 40083, 40083, 196141, 196141, 196141, 196141, 197388, 197388, 197388, 197388, 197388,
    ]);
    const first = coco.records[0]!;
    expect(first.image).toBe(join(cocoDir, '000000000785.jpg'));
    // bbox [280.79, 44.73, 218.7, 346.68] cleaned: w - 1, h - 1, clipped to the 640x425 image.
    const { center, scale } = boxToCenterScale(
      [280.79, 44.73, 217.7, Math.min(424, 44.73 + 345.68) - 44.73],
      {
        aspectRatio: 0.75,
      },
    );
    expect(first.center[0]).toBeCloseTo(center[0], 9);
    expect(first.center[1]).toBeCloseTo(center[1], 9);
    expect(first.scale[0]).toBeCloseTo(scale[0], 9);
    expect(first.scale[1]).toBeCloseTo(scale[1], 9);
    expect(Array.from(first.joints.subarray(0, 4))).toEqual([367, 81, 374, 73]);
    expect(first.jointsVis).toHaveLength(17);
    expect(first.score).toBe(1);
    for (const r of coco.records) expect(r.jointsVis.every((v) => v === 0 || v === 1)).toBe(true);
  });

  it('cleans boxes as the official kernel: clip to the image, drop zero area', () => {
    const base = { images: [{ id: 1, file_name: 'a.jpg', width: 100, height: 50 }] };
    const kp = Array.from({ length: 51 }, (_, i) => (i % 3 === 2 ? 2 : 10));
    const ann = (bbox: number[], area = 10) => ({
      image_id: 1,
      category_id: 1,
      bbox,
      area,
      iscrowd: 0,
      keypoints: kp,
    });
    const { records, dropped } = parseCocoKeypoints({
      ...base,
      annotations: [
        ann([-10, -5, 50, 20]),
        ann([90, 40, 30, 30]),
        ann([10, 10, 5, 5], 0),
        ann([120, 10, 5, 5]),
      ],
    });
    expect(dropped).toBe(2);
    expect(records).toHaveLength(2);
    // [-10, -5, 50, 20] -> x1 = 0, y1 = 0, x2 = 0 + 49, y2 = 0 + 19 -> [0, 0, 49, 19].
    expect(records[0]!.center).toEqual(boxToCenterScale([0, 0, 49, 19], { aspectRatio: 0.75 }).center);
    // [90, 40, 30, 30] -> x2 = min(99, 119) = 99, y2 = min(49, 69) = 49 -> [90, 40, 9, 9].
    expect(records[1]!.center).toEqual([94.5, 44.5]);
    expect(Array.from(records[0]!.jointsVis)).toEqual(new Array(17).fill(1));
  });

  it.each([
    ['keypoints', "test_coco.json: annotations[3] has no 'keypoints'"],
    ['bbox', "test_coco.json: annotations[3] has no 'bbox'"],
    ['image_id', "test_coco.json: annotations[3] has no 'image_id'"],
  ])("names the annotation missing '%s'", (field, message) => {
    const json = structuredClone(cocoJson);
    delete json.annotations[3]![field];
    expect(() => parseCocoKeypoints(json, { source: 'test_coco.json' })).toThrow(
      new AnnotationError(message),
    );
  });

  it('rejects other malformed files with the field named', async () => {
    expect(() => parseCocoKeypoints({ annotations: [] }, { source: 'x.json' })).toThrow(
      "x.json: the file has no 'images'",
    );
    const json = structuredClone(cocoJson);
    json.annotations[5]!.keypoints = [1, 2, 3];
    expect(() => parseCocoKeypoints(json, { source: 'x.json' })).toThrow(
      'x.json: annotations[5].keypoints must have 51 numbers, got 3',
    );
    const dir = mkdtempSync(join(tmpdir(), 'hrnet-ds-'));
    writeFileSync(join(dir, 'bad.json'), '{"images": [');
    await expect(loadCocoKeypoints(join(dir, 'bad.json'), { imageDir: dir })).rejects.toThrow(
      /bad\.json: not valid JSON/,
    );
  });
});

describe('COCO detections loader', () => {
  it('reads test_coco_det_AP_H_56.json with the box-score threshold', async () => {
    const file = join(cocoDir, 'test_coco_det_AP_H_56.json');
    const all = await loadCocoDetections(file, { imageDir: cocoDir });
    expect(all).toHaveLength(118);
    const kept = await loadCocoDetections(file, { imageDir: cocoDir, imageThreshold: 0.5 });
    expect(kept).toHaveLength(18);
    const det =
      readJsonFile<Array<{ bbox: [number, number, number, number]; score: number; image_id: number }>>(
        file,
      )[0]!;
    const r = all[0]!;
    expect(r.image).toBe(join(cocoDir, cocoImageFileName(det.image_id)));
    expect(r.score).toBe(det.score);
    expect(r.center).toEqual(boxToCenterScale(det.bbox, { aspectRatio: 0.75 }).center);
    expect(Array.from(r.jointsVis)).toEqual(new Array(17).fill(1));
    expect(r.joints.every((v) => v === 0)).toBe(true);
  });

  it('drops non-person boxes and names missing fields', () => {
    const recs = parseCocoDetections(
      [
        { image_id: 1, category_id: 2, bbox: [0, 0, 10, 10], score: 1 },
        { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 1 },
      ],
      { imagePath: (id) => `${id}.jpg` },
    );
    expect(recs).toHaveLength(1);
    expect(() =>
      parseCocoDetections([{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }], {
        source: 'det.json',
        imagePath: String,
      }),
    ).toThrow("det.json: [0] has no 'score'");
  });
});

describe('MPII loader', () => {
  it('reads test_mpii.json with the official center/scale and 1-based quirks', async () => {
    const dir = dataPath('mpii-sample');
    const records = await loadMpii(join(dir, 'test_mpii.json'), { imageDir: dir });
    expect(records).toHaveLength(5);
    const raw = readJsonFile<
      Array<{ center: [number, number]; scale: number; joints: number[][]; joints_vis: number[] }>
    >(join(dir, 'test_mpii.json'));
    records.forEach((r, i) => {
      const a = raw[i]!;
      expect(r.center[0]).toBeCloseTo(a.center[0] - 1, 9);
      expect(r.center[1]).toBeCloseTo(a.center[1] + 15 * a.scale - 1, 9);
      expect(r.scale[0]).toBeCloseTo(a.scale * 1.25, 12);
      expect(r.scale[1]).toBe(r.scale[0]);
      expect(r.joints[0]).toBe(a.joints[0]![0]! - 1);
      expect(r.joints[31]).toBe(a.joints[15]![1]! - 1);
      expect(Array.from(r.jointsVis)).toEqual(a.joints_vis);
      expect(r.imageId).toBe(i);
    });
    expect(records[0]!.image).toBe(join(dir, '005808361.jpg'));
  });

  it('keeps center[0] == -1 boxes unpadded and names missing fields', () => {
    const joints = Array.from({ length: 16 }, () => [1, 1]);
    const [r] = parseMpii([
      { image: 'a.jpg', center: [-1, 10], scale: 2, joints, joints_vis: new Array(16).fill(0) },
    ]);
    expect(r!.center).toEqual([-2, 9]);
    expect(r!.scale).toEqual([2, 2]);
    expect(() => parseMpii([{ image: 'a.jpg', center: [1, 1], joints }], { source: 'train.json' })).toThrow(
      "train.json: [0] has no 'scale'",
    );
  });
});
