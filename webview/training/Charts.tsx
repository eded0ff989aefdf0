// Loss and accuracy charts in plain SVG (no chart library: a few paths and labels): training values from
// every progress update the host sends, validation values once an epoch, against epochs on the x axis.
// The loss axis is logarithmic once the losses span more than a factor of ten. A long run is thinned to
// MAX_POINTS points a series; `data-points` on the loss chart counts the training points drawn.
import { memo, useMemo } from 'react';
import type { EpochMetrics } from '../../engine/train/trainer';
import { countRender } from '../debug/renders';
import { linePath, linearScale, lossScale, thin, type Scale, type XY } from './chart';
import type { TrainPoint } from './sessionStore';
import { useSession } from './stores';

export const MAX_POINTS = 600;
const W = 250;
const H = 124;
const PAD = { left: 34, right: 8, top: 16, bottom: 16 };

interface Series {
  name: string;
  className: string;
  points: XY[];
  dots?: boolean;
}

interface ChartProps {
  title: string;
  testId: string;
  series: Series[];
  xMax: number;
  scale: (from: number, to: number) => Scale;
  /** Extra attributes for tests and scripts. */
  data?: Record<string, string | number>;
}

function LineChart({ title, testId, series, xMax, scale, data }: ChartProps) {
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const sx = linearScale(0, Math.max(xMax, 1e-9), x0, x1, 2, (v) => String(Math.round(v)));
  const sy = scale(H - PAD.bottom, PAD.top);
  const empty = series.every((s) => s.points.length === 0);
  const summary = series.map((s) => `${s.name}: ${s.points.length ? Number(s.points.at(-1)!.y.toPrecision(3)) : 'none'}`).join(', ');
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} data-testid={testId} role="img" aria-label={`${title}: ${summary}`} {...data}>
        <line className="chart-axis" x1={x0} y1={PAD.top} x2={x0} y2={H - PAD.bottom} />
        <line className="chart-axis" x1={x0} y1={H - PAD.bottom} x2={x1} y2={H - PAD.bottom} />
        {!empty &&
          sy.ticks.map((t) => (
            <g key={t.value}>
              <line className="chart-grid" x1={x0} x2={x1} y1={sy(t.value)} y2={sy(t.value)} />
              <text className="chart-tick" x={x0 - 3} y={sy(t.value)} textAnchor="end" dominantBaseline="middle">
                {t.label}
              </text>
            </g>
          ))}
        <text className="chart-tick" x={x0} y={H - 3} textAnchor="start">
          0
        </text>
        <text className="chart-tick" x={x1} y={H - 3} textAnchor="end">
          {empty ? 'epoch' : `epoch ${Math.round(xMax * 10) / 10}`}
        </text>
        {series.map((s) => (
          <g key={s.name} className={s.className}>
            <path d={linePath(s.points, sx, sy)} className="chart-line" />
            {s.dots && s.points.map((p, i) => <circle key={i} cx={sx(p.x)} cy={sy(p.y)} r={2} className="chart-dot" />)}
          </g>
        ))}
        {series.map((s, i) => (
          <text key={s.name} className={`chart-key ${s.className}`} x={x1 - i * 64} y={10} textAnchor="end">
            — {s.name}
          </text>
        ))}
        {empty && (
          <text className="chart-empty" x={(x0 + x1) / 2} y={(PAD.top + H - PAD.bottom) / 2} textAnchor="middle">
            No run yet
          </text>
        )}
      </svg>
    </figure>
  );
}

/** Train points from progress; for a view that opened after the run, the epochs' training values instead. */
function trainSeries(
  train: readonly TrainPoint[],
  history: readonly EpochMetrics[],
  pick: (p: TrainPoint) => number | undefined,
  pickEpoch: (m: EpochMetrics) => number | undefined,
): XY[] {
  if (train.length) return thin(train, MAX_POINTS).flatMap((p) => (pick(p) === undefined ? [] : [{ x: p.x, y: pick(p)! }]));
  return history.flatMap((m) => (pickEpoch(m) === undefined ? [] : [{ x: m.epoch + 1, y: pickEpoch(m)! }]));
}

const epochSeries = (history: readonly EpochMetrics[], pick: (m: EpochMetrics) => number | undefined): XY[] =>
  history.flatMap((m) => (pick(m) === undefined ? [] : [{ x: m.epoch + 1, y: pick(m)! }]));

const selectTrain = (s: { train: readonly TrainPoint[] }) => s.train;
const selectCount = (s: { trainCount: number }) => s.trainCount;
const selectHistory = (s: { history: readonly EpochMetrics[] }) => s.history;
const selectEpochs = (s: { progress?: { epochs: number } }) => s.progress?.epochs ?? 0;

function useXMax(train: XY[], val: XY[]): number {
  const epochs = useSession(selectEpochs);
  return Math.max(epochs, train.at(-1)?.x ?? 0, val.at(-1)?.x ?? 0);
}

function LossChartImpl() {
  countRender('LossChart');
  const train = useSession(selectTrain);
  const count = useSession(selectCount);
  const history = useSession(selectHistory);
  const { trainPts, valPts } = useMemo(
    () => ({
      trainPts: trainSeries(
        train,
        history,
        (p) => p.loss,
        (m) => m.trainLoss,
      ),
      valPts: epochSeries(history, (m) => m.valLoss),
    }),
    // `train` grows in place during a run; its count says when.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `count` is the dependency that sees `train` grow.
    [train, count, history],
  );
  const xMax = useXMax(trainPts, valPts);
  const values = [...trainPts, ...valPts].map((p) => p.y);
  return (
    <LineChart
      title="Loss"
      testId="loss-chart"
      series={[
        { name: 'train', className: 'series-train', points: trainPts },
        { name: 'validation', className: 'series-val', points: valPts, dots: true },
      ]}
      xMax={xMax}
      scale={(from, to) => lossScale(values, from, to)}
      data={{ 'data-points': trainPts.length, 'data-val-points': valPts.length, ...(train.length ? { 'data-last-step': train.at(-1)!.step } : {}) }}
    />
  );
}

function AccuracyChartImpl() {
  countRender('AccuracyChart');
  const train = useSession(selectTrain);
  const count = useSession(selectCount);
  const history = useSession(selectHistory);
  const { trainPts, valPts } = useMemo(
    () => ({
      trainPts: trainSeries(
        train,
        history,
        (p) => p.accuracy,
        (m) => m.trainAccuracy,
      ),
      valPts: epochSeries(history, (m) => m.valAccuracy),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `count` is the dependency that sees `train` grow.
    [train, count, history],
  );
  const xMax = useXMax(trainPts, valPts);
  return (
    <LineChart
      title="Accuracy"
      testId="accuracy-chart"
      series={[
        { name: 'train', className: 'series-train', points: trainPts },
        { name: 'validation', className: 'series-val', points: valPts, dots: true },
      ]}
      xMax={xMax}
      scale={(from, to) => linearScale(0, 1, from, to, 3, (v) => `${Math.round(v * 100)}%`)}
      data={{ 'data-points': trainPts.length, 'data-val-points': valPts.length }}
    />
  );
}

export const LossChart = memo(LossChartImpl);
export const AccuracyChart = memo(AccuracyChartImpl);
