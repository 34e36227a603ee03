/** Small server-side SVG charts: no script, no external resource, numbers printed on the bars. */

export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type Bar = {
  label: string;
  /** Drives the bar length; null draws no bar (no data), which is not the same as zero. */
  value: number | null;
  /** What is printed on the bar. */
  text: string;
  /** A lighter second line (e.g. "of 12 leads"). */
  note?: string;
};

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';
const INK = '#1f2a37';
const MUTED = '#6b7280';
const GRID = '#e5e7eb';
const BAR_COLOR = '#2563eb';

function empty(id: string, title: string, width: number, height: number, message: string): string {
  return `<svg data-chart="${esc(id)}" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="100%" ${FONT}>
<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="14" fill="${MUTED}">${esc(message)}</text></svg>`;
}

/**
 * Vertical bars over labelled categories, with a y axis (ticks formatted by `tick`), an optional
 * dashed reference line (an average, a target) and each bar's number above it.
 */
export function columnChart(opts: {
  id: string;
  title: string;
  bars: Bar[];
  max: number;
  yAxisLabel: string;
  xAxisLabel: string;
  tick: (value: number) => string;
  ticks: number[];
  reference?: { value: number; label: string };
  color?: string;
  width?: number;
}): string {
  const width = opts.width ?? 600;
  const height = 280;
  // Room on the right for the reference label (11px text, ~7px a character): "window 71.4%" needs more than "window 75%".
  const m = { left: 56, right: opts.reference ? 14 + 7 * opts.reference.label.length : 16, top: 22, bottom: 58 };
  if (opts.bars.length === 0 || opts.max <= 0) return empty(opts.id, opts.title, width, height, 'No data in this window');
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const y = (v: number) => m.top + plotH - (Math.min(v, opts.max) / opts.max) * plotH;
  const slot = plotW / opts.bars.length;
  const barW = Math.min(48, slot * 0.7);
  // Narrow slots (a year of weeks) label every few bars and drop the notes, rather than overprint.
  const labelEvery = Math.ceil(52 / slot);
  const grid = opts.ticks
    .map(
      (t) => `<line x1="${m.left}" x2="${width - m.right}" y1="${y(t)}" y2="${y(t)}" stroke="${GRID}"/>
<text x="${m.left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11" fill="${MUTED}">${esc(opts.tick(t))}</text>`,
    )
    .join('\n');
  const bars = opts.bars
    .map((b, i) => {
      const cx = m.left + slot * i + slot / 2;
      const label =
        i % labelEvery === 0 ? `<text x="${cx}" y="${height - m.bottom + 16}" text-anchor="middle" font-size="11" fill="${INK}">${esc(b.label)}</text>` : '';
      const note =
        b.note && labelEvery === 1
          ? `<text x="${cx}" y="${height - m.bottom + 30}" text-anchor="middle" font-size="10" fill="${MUTED}">${esc(b.note)}</text>`
        : '';
      if (b.value === null) {
        return `<g data-label="${esc(b.label)}" data-value="">${label}${note}<text x="${cx}" y="${y(0) - 6}" text-anchor="middle" font-size="11" fill="${MUTED}">${esc(b.text)}</text></g>`;
      }
      const top = y(b.value);
      return `<g data-label="${esc(b.label)}" data-value="${b.value}">
<rect x="${cx - barW / 2}" y="${top}" width="${barW}" height="${y(0) - top}" rx="2" fill="${opts.color ?? BAR_COLOR}"><title>${esc(`${b.label}: ${b.text}`)}</title></rect>
<text x="${cx}" y="${top - 5}" text-anchor="middle" font-size="11" font-weight="600" fill="${INK}">${esc(b.text)}</text>${label}${note}</g>`;
    })
    .join('\n');
  const reference = opts.reference
    ? `<line x1="${m.left}" x2="${width - m.right}" y1="${y(opts.reference.value)}" y2="${y(opts.reference.value)}" stroke="#dc2626" stroke-dasharray="5 4"/>
<text x="${width - m.right + 6}" y="${y(opts.reference.value) + 4}" font-size="11" fill="#dc2626">${esc(opts.reference.label)}</text>`
    : '';
  return `<svg data-chart="${esc(opts.id)}" role="img" aria-label="${esc(opts.title)}" viewBox="0 0 ${width} ${height}" width="100%" ${FONT}>
${grid}
<line x1="${m.left}" x2="${width - m.right}" y1="${y(0)}" y2="${y(0)}" stroke="${MUTED}"/>
${bars}
${reference}
<text transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="${MUTED}">${esc(opts.yAxisLabel)}</text>
<text x="${m.left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11" fill="${MUTED}">${esc(opts.xAxisLabel)}</text>
</svg>`;
}

/** Horizontal bars, one labelled row each, longest scale = the largest value, number at the bar's end. */
export function barList(opts: { id: string; title: string; bars: Bar[]; xAxisLabel: string; color?: string; emptyMessage?: string }): string {
  const width = 600;
  const row = 28;
  // Room after the longest bar for its number and note (~7 px a character at 12 px).
  const textRoom = Math.max(0, ...opts.bars.map((b) => (b.text.length + (b.note ? b.note.length + 1 : 0)) * 7 + 10));
  const m = { left: 170, right: Math.min(260, Math.max(60, textRoom)), top: 8, bottom: 28 };
  const height = m.top + m.bottom + Math.max(1, opts.bars.length) * row;
  const max = Math.max(0, ...opts.bars.map((b) => b.value ?? 0));
  if (opts.bars.length === 0) return empty(opts.id, opts.title, width, 90, opts.emptyMessage ?? 'No data in this window');
  const plotW = width - m.left - m.right;
  const rows = opts.bars
    .map((b, i) => {
      const top = m.top + i * row;
      const w = max > 0 && b.value !== null && b.value > 0 ? Math.max(2, (b.value / max) * plotW) : 0;
      return `<g data-label="${esc(b.label)}" data-value="${b.value ?? ''}">
<text x="${m.left - 8}" y="${top + row / 2 + 4}" text-anchor="end" font-size="12" fill="${INK}">${esc(truncate(b.label, 24))}<title>${esc(b.label)}</title></text>
<rect x="${m.left}" y="${top + 5}" width="${w}" height="${row - 10}" rx="2" fill="${opts.color ?? BAR_COLOR}"/>
<text x="${m.left + w + 6}" y="${top + row / 2 + 4}" font-size="12" font-weight="600" fill="${INK}">${esc(b.text)}${
        b.note ? `<tspan font-weight="400" fill="${MUTED}"> ${esc(b.note)}</tspan>` : ''
      }</text></g>`;
    })
    .join('\n');
  return `<svg data-chart="${esc(opts.id)}" role="img" aria-label="${esc(opts.title)}" viewBox="0 0 ${width} ${height}" width="100%" ${FONT}>
${rows}
<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" stroke="${MUTED}"/>
<text x="${m.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="${MUTED}">${esc(opts.xAxisLabel)}</text>
</svg>`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
