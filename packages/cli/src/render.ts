import type { RgbImage } from '@hrnet/datasets';
import type { KeypointSet, Pose, Rgb } from '@hrnet/decode';
import sharp from 'sharp';

/** Keypoints scoring below this are not drawn (the official visualisation threshold). */
const DRAW_THRESHOLD = 0.2;

const css = ([r, g, b]: Rgb) => `rgb(${r},${g},${b})`;

/** An SVG layer with each pose's skeleton edges and keypoints, sized to the image. */
function skeletonSvg(width: number, height: number, poses: readonly Pose[], keypoints: KeypointSet): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const shapes: string[] = [];
  for (const pose of poses) {
    const visible = (i: number) => pose.keypoints[i]!.score >= DRAW_THRESHOLD;
    for (const { from, to, color } of keypoints.skeleton) {
      if (!visible(from) || !visible(to)) continue;
      const a = pose.keypoints[from]!;
      const b = pose.keypoints[to]!;
      shapes.push(
        `<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="${css(color)}" stroke-width="${stroke}" stroke-linecap="round"/>`,
      );
    }
    pose.keypoints.forEach((k, i) => {
      if (!visible(i)) return;
      shapes.push(
        `<circle cx="${k.x}" cy="${k.y}" r="${stroke * 1.5}" fill="white" stroke="black" stroke-width="1"/>`,
      );
    });
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

/** The image with every pose drawn on it (skeleton in the keypoint set's colours), encoded as PNG. */
export async function renderPoses(
  image: RgbImage,
  poses: readonly Pose[],
  keypoints: KeypointSet,
): Promise<Buffer> {
  const { width, height } = image;
  const overlay = Buffer.from(skeletonSvg(width, height, poses, keypoints));
  return sharp(image.data, { raw: { width, height, channels: 3 } })
    .composite([{ input: overlay, top: 0, left: 0 }])
    .png()
    .toBuffer();
}
