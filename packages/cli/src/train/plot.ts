import sharp from 'sharp';
import type { EpochSummary } from './log';

const PANEL = { width: 440, height: 300, left: 64, right: 16, top: 34, bottom: 40 };

interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function tickLabel(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toPrecision(3) : v.toExponential(1);
}

/** One line chart as an SVG group at horizontal offset `x0`. */
function panel(x0: number, title: string, series: Series[], xMax: number): string {
  const { width, height, left, right, top, bottom } = PANEL;
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  let lo = values.length > 0 ? Math.min(...values) : 0;
  let hi = values.length > 0 ? Math.max(...values) : 1;
  if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5 * Math.abs(lo || 1), hi + 0.5 * Math.abs(hi || 1)];
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const sx = (x: number) => x0 + left + (xMax > 0 ? (x / xMax) * plotW : plotW / 2);
  const sy = (y: number) => top + plotH - ((y - lo) / (hi - lo)) * plotH;
  const parts = [
    `<text x="${x0 + width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    `<rect x="${x0 + left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    const y = sy(v);
    parts.push(
      `<line x1="${x0 + left}" x2="${x0 + left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${x0 + left - 4}" y="${y + 4}" text-anchor="end" font-size="10">${tickLabel(v)}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + left}" y="${height - 22}" font-size="10">0</text>`,
    `<text x="${x0 + left + plotW}" y="${height - 22}" text-anchor="end" font-size="10">${xMax}</text>`,
    `<text x="${x0 + left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="11">epoch</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (pts.length === 0) return;
    const path = pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    for (const [x, y] of pts) parts.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="2" fill="${s.color}"/>`);
    const ly = top + 14 + 14 * i;
    parts.push(
      `<text x="${x0 + left + plotW - 6}" y="${ly}" text-anchor="end" font-size="11" fill="${s.color}">${escapeXml(s.label)}</text>`,
    );
  });
  return parts.join('');
}

/**
 * Renders the training curves as a PNG: training loss per epoch (left) and the validation metrics per epoch
 * (right; AP and PCK@0.2), drawn as SVG and rasterised by sharp.
 */
export async function renderTrainingPlot(history: readonly EpochSummary[]): Promise<Uint8Array> {
  const xMax = Math.max(1, ...history.map((h) => h.epoch + 1));
  const loss: Series = {
    label: 'train loss',
    color: '#1f77b4',
    points: history.map((h) => [h.epoch + 1, h.loss]),
  };
  const metricNames = [...new Set(history.flatMap((h) => Object.keys(h.metrics)))].filter(
    (name) => name === 'AP' || name === 'PCK@0.2',
  );
  const colors = ['#d62728', '#2ca02c'];
  const metrics = metricNames.map<Series>((name, i) => ({
    label: name,
    color: colors[i % colors.length]!,
    points: history.map((h) => [h.epoch + 1, h.metrics[name] ?? Number.NaN]),
  }));
  const width = 2 * PANEL.width;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL.height}" font-family="sans-serif">` +
    `<rect width="${width}" height="${PANEL.height}" fill="white"/>` +
    panel(0, 'training loss (JointsMSELoss)', [loss], xMax) +
    panel(PANEL.width, 'validation', metrics, xMax) +
    '</svg>';
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}
