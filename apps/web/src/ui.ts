import type { StageTimings } from '@hrnet/models-zoo';

/** Looks up an element the page must have; a missing one is a bug in index.html. */
export function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`#${id} is missing from the page or is not a ${type.name}`);
  return found;
}

export type StatusState = 'busy' | 'ready' | 'done' | 'error';

/** Shows a status line; its `data-state` lets tests wait for the page. */
export function setStatus(state: StatusState, text: string): void {
  const status = element('status', HTMLParagraphElement);
  status.dataset.state = state;
  status.textContent = text;
}

/** Shows an error on the page (and in the console with its stack). */
export function showError(what: string, error: unknown): void {
  console.error(error);
  setStatus('error', `${what}: ${error instanceof Error ? error.message : String(error)}`);
}

/** Fills the timing table. */
export function showTimings(timings: StageTimings): void {
  const total = timings.preprocessMs + timings.forwardMs + timings.decodeMs;
  const values: Record<string, number> = { ...timings, totalMs: total };
  for (const cell of document.querySelectorAll<HTMLTableCellElement>('#timings td[data-stage]')) {
    cell.textContent = values[cell.dataset.stage!]!.toFixed(1);
  }
}

/** Shows (or hides, for undefined) the notice under the backend select. */
export function showBackendNotice(text: string | undefined): void {
  const notice = element('backend-notice', HTMLParagraphElement);
  notice.hidden = text === undefined;
  notice.textContent = text ?? '';
}
