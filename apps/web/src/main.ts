import { type BoxXywh, COCO_KEYPOINTS, type Pose } from '@hrnet/decode';
import {
  type DetailedEstimate,
  listModelCards,
  type PoseEstimator,
  type StageTimings,
} from '@hrnet/models-zoo';
import { activateBackend, type PageBackend, preferredBackend } from './backend';
import { drawScene } from './draw';
import { decodeFrame, hasWebcam, startWebcam, type Webcam, watchImageInputs } from './input';
import { createEstimator, type LoadedWeights, loadChosenWeights, loadServedWeights } from './model';
import { watchBoxDrag } from './person-box';
import { element, setStatus, showBackendNotice, showError, showTimings } from './ui';

/** The last estimate, for tests and the console (`window.__hrnetLastResult`). */
export interface PageResult {
  /** Counts the estimates since the page loaded. */
  readonly run: number;
  readonly backend: PageBackend;
  readonly model: string;
  readonly imageSize: readonly [number, number];
  /** The person box, or null for the whole image. */
  readonly box: BoxXywh | null;
  readonly poses: readonly Pose[];
  readonly keypointsDrawn: number;
  readonly timings: StageTimings;
}

declare global {
  interface Window {
    __hrnetLastResult?: PageResult;
  }
}

const DEFAULT_MODEL = 'pp-tinypose-256x192';
const cards = listModelCards();

const canvas = element('canvas', HTMLCanvasElement);
const modelSelect = element('model-select', HTMLSelectElement);
const backendSelect = element('backend-select', HTMLSelectElement);
const heatmapToggle = element('heatmaps', HTMLInputElement);
const flipToggle = element('flip-test', HTMLInputElement);
const webcamButton = element('webcam', HTMLButtonElement);
const clearBoxButton = element('clear-box', HTMLButtonElement);

let backend: PageBackend = preferredBackend();
let weights: LoadedWeights | undefined;
let estimator: PoseEstimator | undefined;
/** The image (or webcam frame) on the canvas, its person box and its last estimate. */
let frame: ImageData | undefined;
let box: BoxXywh | undefined;
let last: DetailedEstimate | undefined;
let webcam: Webcam | undefined;
let runs = 0;

/**
 * Page actions run one at a time (a backend switch must not overlap an estimate); `<body data-pending>` counts
 * those queued or running, so that tests can wait for the page to settle.
 */
let queue: Promise<void> = Promise.resolve();
let pending = 0;
function enqueue(what: string, task: () => Promise<void>): Promise<void> {
  document.body.dataset.pending = String(++pending);
  queue = queue
    .then(task)
    .catch((error: unknown) => showError(what, error))
    .finally(() => {
      document.body.dataset.pending = String(--pending);
    });
  return queue;
}

/** Draws the frame with the last estimate; returns the number of keypoints drawn. */
function redraw(dragged?: BoxXywh): number {
  if (frame === undefined) return 0;
  const shown = dragged ?? box;
  return drawScene(canvas, {
    frame,
    poses: last?.poses ?? [],
    keypoints: estimator?.keypoints ?? COCO_KEYPOINTS,
    ...(shown ? { box: shown } : {}),
    ...(heatmapToggle.checked && last
      ? { heatmaps: { data: last.heatmaps, instances: last.instances } }
      : {}),
  });
}

/** Estimates the poses in the current frame and draws them. */
async function estimate(): Promise<void> {
  if (frame === undefined) return;
  if (estimator === undefined || weights === undefined) {
    last = undefined;
    redraw();
    setStatus('ready', 'Load a model to estimate poses.');
    return;
  }
  last = await estimator.estimatePosesDetailed(frame, {
    ...(box ? { people: [{ box }] } : {}),
    flipTest: flipToggle.checked,
  });
  const keypointsDrawn = redraw();
  showTimings(last.timings);
  runs += 1;
  window.__hrnetLastResult = {
    run: runs,
    backend,
    model: weights.card.id,
    imageSize: [frame.width, frame.height],
    box: box ?? null,
    poses: last.poses,
    keypointsDrawn,
    timings: last.timings,
  };
  const score = last.poses[0]?.score.toFixed(3) ?? '–';
  setStatus('done', `${weights.card.id} on ${backend}: ${keypointsDrawn} keypoints, pose score ${score}`);
}

/** Rebuilds the network from the loaded weights on the active backend. */
function rebuildEstimator(): void {
  estimator?.dispose();
  estimator = undefined;
  last = undefined;
  if (weights !== undefined) estimator = createEstimator(weights);
}

async function switchBackend(wanted: PageBackend): Promise<void> {
  setStatus('busy', `Starting the ${wanted} backend…`);
  const active = await activateBackend(wanted);
  backend = active.name;
  backendSelect.value = backend;
  showBackendNotice(
    active.failures.length === 0
      ? undefined
      : `${wanted} is not available here, using ${backend} instead.\n${active.failures.join('\n')}`,
  );
  rebuildEstimator();
  setStatus('ready', `Backend ${backend} ready.`);
  await estimate();
}

async function useWeights(load: () => Promise<LoadedWeights>): Promise<void> {
  setStatus('busy', 'Loading the model…');
  weights = await load();
  modelSelect.value = weights.card.id;
  rebuildEstimator();
  setStatus('ready', `${weights.card.id} loaded from ${weights.origin} on ${backend}. Choose an image.`);
  await estimate();
}

function selectedCard() {
  return cards.find((c) => c.id === modelSelect.value) ?? cards[0]!;
}

async function runWebcam(): Promise<void> {
  if (webcam !== undefined) {
    webcam.stop();
    webcam = undefined;
    webcamButton.textContent = 'Start webcam';
    return;
  }
  webcam = await startWebcam();
  webcamButton.textContent = 'Stop webcam';
  const loop = (): void => {
    if (webcam === undefined) return;
    frame = webcam.grab();
    void enqueue('Webcam', estimate).then(() => requestAnimationFrame(loop));
  };
  loop();
}

function setup(): void {
  for (const card of cards) modelSelect.add(new Option(card.id, card.id));
  modelSelect.value = DEFAULT_MODEL;
  backendSelect.value = backend;
  backendSelect.addEventListener('change', () => {
    void enqueue('Backend', () => switchBackend(backendSelect.value as PageBackend));
  });
  element('model-load', HTMLButtonElement).addEventListener('click', () => {
    void enqueue('Model', () => useWeights(() => loadServedWeights(selectedCard())));
  });
  const modelFiles = element('model-files', HTMLInputElement);
  modelFiles.addEventListener('change', () => {
    const chosen = modelFiles.files;
    if (chosen === null || chosen.length === 0) return;
    void enqueue('Model files', () => useWeights(() => loadChosenWeights(chosen, cards, selectedCard())));
  });
  watchImageInputs(element('image-input', HTMLInputElement), element('drop-zone', HTMLDivElement), (file) => {
    void enqueue(`Image ${file.name}`, async () => {
      frame = await decodeFrame(file);
      box = undefined;
      clearBoxButton.disabled = true;
      await estimate();
    });
  });
  watchBoxDrag(
    canvas,
    (dragged) => redraw(dragged),
    (dragged) => {
      if (dragged === undefined) {
        redraw();
        return;
      }
      box = dragged;
      clearBoxButton.disabled = false;
      void enqueue('Person box', estimate);
    },
  );
  clearBoxButton.addEventListener('click', () => {
    box = undefined;
    clearBoxButton.disabled = true;
    void enqueue('Person box', estimate);
  });
  heatmapToggle.addEventListener('change', () => redraw());
  flipToggle.addEventListener('change', () => void enqueue('Flip test', estimate));
  if (hasWebcam()) {
    webcamButton.hidden = false;
    webcamButton.addEventListener('click', () => void enqueue('Webcam', runWebcam));
  }
  void enqueue('Backend', () => switchBackend(backend));
  void enqueue('Model', () => useWeights(() => loadServedWeights(selectedCard())));
}

setup();
