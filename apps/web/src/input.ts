import { decodeImageBrowser } from '@hrnet/datasets';

/**
 * Decodes an image file (EXIF orientation ignored, as the official pipeline) into RGBA pixels on the CPU, as
 * they are drawn and given to the estimator.
 */
export async function decodeFrame(source: Blob): Promise<ImageData> {
  const { data, width, height } = await decodeImageBrowser(source);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i]!;
    rgba[j + 1] = data[i + 1]!;
    rgba[j + 2] = data[i + 2]!;
    rgba[j + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}

/** Calls `onImage` with the image chosen in `input` or dropped on `zone`. */
export function watchImageInputs(
  input: HTMLInputElement,
  zone: HTMLElement,
  onImage: (file: File) => void,
): void {
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file !== undefined) onImage(file);
    input.value = '';
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = [...(event.dataTransfer?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (file !== undefined) onImage(file);
  });
}

/** Whether this page may ask for a camera (a secure context with `navigator.mediaDevices`). */
export function hasWebcam(): boolean {
  return navigator.mediaDevices?.getUserMedia !== undefined;
}

/** A running webcam: `grab()` returns the current frame; `stop()` releases the camera. */
export interface Webcam {
  grab(): ImageData;
  stop(): void;
}

/** Starts the user-facing camera. */
export async function startWebcam(): Promise<Webcam> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  const canvas = new OffscreenCanvas(video.videoWidth, video.videoHeight);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new Error('no 2d canvas context for the webcam frames');
  return {
    grab() {
      context.drawImage(video, 0, 0);
      return context.getImageData(0, 0, canvas.width, canvas.height);
    },
    stop() {
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
    },
  };
}
