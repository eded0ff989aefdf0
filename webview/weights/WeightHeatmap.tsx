// One parameter tensor (or its gradient) as a heatmap: a Linear's weight as its [out, in] matrix (row o = output unit
// o, column i = input i), a Conv2d's as one small image per (out, in) kernel, on a diverging scale symmetric about 0
// whose range is shown under it; pointing at a cell reads its value out. Presentational only (drawing: heatmapDraw.ts).
import { useLayoutEffect, useRef, useState, type MouseEvent } from 'react';
import type { WeightImage } from '../../protocol/messages';
import { useColorMode } from '../ui/useColorMode';
import { formatStat } from '../training/statFormat';
import { drawImage, layoutOf, rangeOf } from './heatmapDraw';

/** The widest a heatmap is drawn (the inspector's column), and the largest a cell gets. */
const MAX_WIDTH = 232;
const MAX_CELL = 14;

export interface WeightHeatmapProps {
  image: WeightImage;
  /** What it shows ("weight", "∂ℓ/∂weight"). */
  title: string;
  /** The symbol of a cell in the read-out ("W", "∂ℓ/∂W"). */
  symbol: string;
  tone?: 'value' | 'gradient';
  /** What rows and columns are, when not a weight's (an output heatmap: samples and features). */
  note?: string;
  /** The largest a cell is drawn, in CSS pixels (default MAX_CELL). */
  maxCell?: number;
  testId?: string;
}

/** The tensor index a cell stands for: [o, i] of a matrix (ranges when averaged in blocks), [o, i, r, c] of a kernel. */
function cellName(image: WeightImage, index: number[]): string {
  if (image.layout === 'kernels') return index.join(', ');
  const span = (k: number, block: number) => (block === 1 ? String(k) : `${k * block}…${k * block + block - 1}`);
  return index.length === 1 ? span(index[0], image.colBlock) : `${span(index[0], image.rowBlock)}, ${span(index[1], image.colBlock)}`;
}

export function WeightHeatmap({ image, title, symbol, tone = 'value', note, maxCell = MAX_CELL, testId }: WeightHeatmapProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const mode = useColorMode();
  const [readout, setReadout] = useState<string | null>(null);
  const layout = layoutOf(image);
  const { width, height } = layout;
  const px = Math.max(1, Math.min(maxCell, Math.floor(MAX_WIDTH / Math.max(1, width))));
  useLayoutEffect(() => {
    if (ref.current) drawImage(ref.current, image);
  }, [image, mode]);
  const r = rangeOf(image);
  const point = (e: MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const x = Math.floor(((e.clientX - box.left) / box.width) * width),
      y = Math.floor(((e.clientY - box.top) / box.height) * height);
    const cell = layout.cellAt(x, y);
    setReadout(
      cell
        ? `${symbol}[${cellName(image, cell.index)}] = ${formatStat(image.values[cell.k])}${image.rowBlock * image.colBlock > 1 ? ' (block mean)' : ''}`
        : null,
    );
  };
  const kernels = image.layout === 'kernels';
  const cut = kernels && (image.outChannels! < image.shape[0] || image.inChannels! < image.shape[1]);
  const blocks = image.rowBlock * image.colBlock > 1;
  return (
    <figure
      className={`weight-heatmap tone-${tone}`}
      data-testid={testId}
      data-layout={image.layout}
      data-rows={image.rows}
      data-cols={image.cols}
      data-kernels={kernels ? `${image.outChannels}×${image.inChannels}` : undefined}
    >
      <figcaption className="weight-heatmap-title">
        <span>{title}</span> <span className="hint">[{image.shape.join(', ')}]</span>
      </figcaption>
      <canvas
        ref={ref}
        className="weight-heatmap-canvas"
        style={{ width: `${width * px}px`, height: `${height * px}px` }}
        onMouseMove={point}
        onMouseLeave={() => setReadout(null)}
        role="img"
        aria-label={`${title}: ${kernels ? `${image.outChannels} × ${image.inChannels} kernels of ${image.rows}×${image.cols}` : `${image.rows} × ${image.cols} cells`}, from ${formatStat(-r)} to ${formatStat(r)}`}
      />
      <div className="weight-heatmap-key" data-testid="weight-range" data-range={r} data-min={image.min} data-max={image.max}>
        <span>{formatStat(-r)}</span>
        <span className="weight-heatmap-bar" />
        <span>{formatStat(r)}</span>
      </div>
      <div className="hint weight-heatmap-note">
        {readout ??
          note ??
          (kernels
            ? `one image per (output, input) channel pair${cut ? `, the first ${image.outChannels} × ${image.inChannels} of ${image.shape[0]} × ${image.shape[1]}` : ''}`
            : image.shape.length >= 2
              ? `row: output unit, column: input${blocks ? ` (block means of ${image.rowBlock}×${image.colBlock})` : ''}`
              : blocks
                ? `block means of ${image.colBlock}`
                : 'one cell per value')}
        {image.nonFinite ? ` · ${image.nonFinite} non-finite drawn as 0` : ''}
        {` · range min ${formatStat(image.min)}, max ${formatStat(image.max)}`}
      </div>
    </figure>
  );
}
