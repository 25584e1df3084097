import type { BoxXywh } from '@hrnet/decode';

/** Boxes smaller than this (image pixels) are taken as a click, not a person. */
const MIN_SIDE = 8;

/** Where a pointer event falls in the canvas's image pixels (the canvas is scaled by CSS). */
function toImage(canvas: HTMLCanvasElement, event: PointerEvent): [number, number] {
  const rect = canvas.getBoundingClientRect();
  return [
    ((event.clientX - rect.left) * canvas.width) / rect.width,
    ((event.clientY - rect.top) * canvas.height) / rect.height,
  ];
}

/**
 * Lets the user drag a person box `[x, y, w, h]` on the canvas: `onMove` follows the drag, `onEnd` gets the
 * final box (in image pixels, clamped to the canvas), or undefined when it is too small to be one.
 */
export function watchBoxDrag(
  canvas: HTMLCanvasElement,
  onMove: (box: BoxXywh) => void,
  onEnd: (box: BoxXywh | undefined) => void,
): void {
  let start: [number, number] | undefined;
  const boxTo = (event: PointerEvent): BoxXywh => {
    const [x0, y0] = start!;
    const [x1, y1] = toImage(canvas, event).map((v, i) =>
      Math.min(Math.max(v, 0), i === 0 ? canvas.width : canvas.height),
    ) as [number, number];
    return [Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0)];
  };
  canvas.addEventListener('pointerdown', (event) => {
    start = toImage(canvas, event);
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (start !== undefined) onMove(boxTo(event));
  });
  canvas.addEventListener('pointerup', (event) => {
    if (start === undefined) return;
    const box = boxTo(event);
    start = undefined;
    onEnd(box[2] >= MIN_SIDE && box[3] >= MIN_SIDE ? box : undefined);
  });
}
