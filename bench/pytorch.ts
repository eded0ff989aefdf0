/**
 * The PyTorch reference of the engine benchmark: finds an interpreter with torch, hands it the workloads'
 * tensors (raw little-endian files and a JSON manifest in a temporary folder, read there with numpy and
 * torch.from_numpy), and drives bench/pytorch_bench.py over stdin/stdout one measurement at a time, so its
 * rounds interleave with the engine's and TF.js's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { summarise, type Timing } from './harness';
import * as M from './models';

export const TORCH_INSTALL = 'apt-get install python3-torch libopenblas0-pthread';

/** `$PYTHON` if set, else Debian's interpreter: a `python3` earlier on PATH (a pyenv shim, a venv) may have no torch. */
export function pythonInterpreter(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYTHON?.trim() || '/usr/bin/python3';
}

// ---------------------------------------------------------------- inputs

interface TensorRef {
  file: string;
  dtype: string;
  shape: number[];
}

/** What bench/pytorch_bench.py reads: the same initial weights, batches and matrices as the engine's. */
export function writeTorchInputs(dir: string, mlp: M.MlpSpec, cnn: M.CnnSpec, matmulSizes: readonly number[]): void {
  const order = os.endianness() === 'LE' ? '<' : '>';
  const put = (name: string, data: Float32Array | Int32Array, shape: number[]): TensorRef => {
    const file = `${name}.bin`;
    writeFileSync(path.join(dir, file), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return { file, dtype: `${order}${data instanceof Int32Array ? 'i4' : 'f4'}`, shape };
  };
  const linear = (name: string, l: M.LinearInit) => ({ weight: put(`${name}.weight`, l.w, [l.outF, l.inF]), bias: put(`${name}.bias`, l.b, [l.outF]) });
  const conv = (name: string, c: M.ConvInit) => ({ weight: put(`${name}.weight`, c.w, [c.outC, c.inC, c.k, c.k]), bias: put(`${name}.bias`, c.b, [c.outC]) });
  const batch = (name: string, b: M.Batch) => ({ x: put(`${name}.x`, b.x, b.xShape), labels: put(`${name}.labels`, b.labels, [b.labels.length]) });
  const manifest = {
    lr: M.LR,
    matmul: Object.fromEntries(
      matmulSizes.map((n) => [n, { a: put(`mm${n}.a`, M.randomMatrix(n, n, `mm${n}a`), [n, n]), b: put(`mm${n}.b`, M.randomMatrix(n, n, `mm${n}b`), [n, n]) }]),
    ),
    mlp: { layers: mlp.layers.map((l, i) => linear(`mlp.fc${i + 1}`, l)), ...batch('mlp', mlp.batch) },
    cnn: { convs: [conv('cnn.conv1', cnn.conv1), conv('cnn.conv2', cnn.conv2)], pool: 2, fc: linear('cnn.fc', cnn.fc), ...batch('cnn', cnn.batch) },
  };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
}

// ---------------------------------------------------------------- what the script reports

export interface BlasReport {
  /** The library that libtorch_cpu's sgemm_ resolves to: the BLAS torch really calls. */
  sgemmLibrary: string | null;
  torchLibrary: string | null;
  openblas: { config: string; core: string; threads: number } | null;
  /** Every mapped library with a BLAS-like name. */
  mapped: string[];
  /** torch.__config__.show()'s BLAS_INFO ('generic' on Debian, whatever libblas.so.3 is). */
  configBlasInfo: string | null;
  error?: string;
}

export interface TorchInfo {
  python: string;
  pythonVersion: string;
  torch: string;
  numpy: string;
  blas: BlasReport;
  threads: { intraOp: number; interOp: number };
  onednn: boolean;
}

export type BlasKind = 'openblas' | 'mkl' | 'blis' | 'atlas' | 'accelerate' | 'bundled' | 'reference' | 'unknown';

export interface BlasVerdict {
  kind: BlasKind;
  label: string;
  /** Set when the PyTorch figures would mislead: a slow or unidentified BLAS. */
  warning?: string;
}

/** Names the BLAS from the script's report; warns when it is the reference BLAS (≈7× slower products) or unknown. */
export function describeBlas(r: BlasReport): BlasVerdict {
  const lib = r.sgemmLibrary;
  const info = r.configBlasInfo ? `, torch's BLAS_INFO=${r.configBlasInfo}` : '';
  if (r.openblas) return { kind: 'openblas', label: `${r.openblas.config.split(' ').slice(0, 2).join(' ')} (${r.openblas.core}; ${lib})` };
  if (!lib) {
    return {
      kind: 'unknown',
      label: `unknown (${r.error ?? 'sgemm_ not found in a mapped library'}${info})`,
      warning:
        'could not tell which BLAS PyTorch calls: with the reference BLAS its matmul and Linear figures are several times slower than with OpenBLAS, which would flatter the engine',
    };
  }
  const base = path.basename(lib).toLowerCase();
  const known: [RegExp, BlasKind, string][] = [
    [/openblas/, 'openblas', 'OpenBLAS'],
    [/mkl/, 'mkl', 'Intel MKL'],
    [/blis/, 'blis', 'BLIS'],
    [/atlas/, 'atlas', 'ATLAS'],
    [/accelerate|veclib/, 'accelerate', 'Apple Accelerate'],
  ];
  for (const [re, kind, name] of known) if (re.test(lib.toLowerCase())) return { kind, label: `${name} (${lib})` };
  if (lib === r.torchLibrary) return { kind: 'bundled', label: `linked into ${base}${info}` };
  if (/^lib(ref)?blas(64)?[._]/.test(base)) {
    return {
      kind: 'reference',
      label: `the reference BLAS (${lib})`,
      warning: `PyTorch calls the reference BLAS (${lib}): its products are about 7× slower than with OpenBLAS, which flatters the engine; install OpenBLAS (on Debian: apt-get install libopenblas0-pthread)`,
    };
  }
  return { kind: 'unknown', label: `${lib}${info}`, warning: `PyTorch's BLAS is ${lib}, which this benchmark does not recognise: check its matmul figures` };
}

/**
 * Whether a timing used more than one core: CPU time well above wall time. PyTorch is meant to run on one
 * thread; OpenBLAS, say, ignores torch.set_num_threads and needs OPENBLAS_NUM_THREADS.
 */
export function usedSeveralCores(t: Timing): boolean {
  return t.cpuMedianMs > 1.5 * t.medianMs;
}

// ---------------------------------------------------------------- the protocol

interface RawTiming {
  wall: number[];
  cpu: number[];
  warmup: number;
}

/** The script's first line. */
export type Hello = ({ type: 'ready' } & TorchInfo) | { type: 'unavailable' | 'failed'; reason: string; python: string; pythonVersion: string };
/** The script's answer to a command. */
export type Reply = { ok: true; timings: RawTiming[]; loss?: number } | { ok: false; error: string };

/** One line of the script's output, parsed; a clear error for anything else (a stray print, a traceback). */
export function parseLine<T extends Hello | Reply>(line: string): T {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`the PyTorch script printed a line that is not its protocol: ${line.slice(0, 200)}`);
  }
  if (typeof v !== 'object' || v === null || !('type' in v || 'ok' in v))
    throw new Error(`the PyTorch script sent an unexpected message: ${line.slice(0, 200)}`);
  return v as T;
}

export function timingOf(raw: RawTiming): Timing {
  if (!Array.isArray(raw?.wall) || raw.wall.length === 0 || raw.wall.length !== raw.cpu?.length)
    throw new Error('the PyTorch script sent a timing without samples');
  return summarise(raw.wall, raw.cpu, raw.warmup);
}

/** Not available: why, and what to do about it. */
export class TorchUnavailable extends Error {}

/** The running script, one request at a time. */
export class TorchSession {
  private lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private ended = false;
  private stderr = '';

  /** What the script said about itself once started. */
  info!: TorchInfo;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  /** Starts the script on the workloads' tensors; throws TorchUnavailable with the reason (and the fix) when it cannot. */
  static async start(python: string, mlp: M.MlpSpec, cnn: M.CnnSpec, matmulSizes: readonly number[]): Promise<TorchSession> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-torch-'));
    let session: TorchSession | undefined;
    try {
      writeTorchInputs(dir, mlp, cnn, matmulSizes);
      // One thread everywhere: OpenBLAS and OpenMP read these when torch loads them.
      const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
      const child = spawn(python, [path.join(__dirname, 'pytorch_bench.py'), dir], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      session = new TorchSession(child, dir);
      const failedToStart = new Promise<Error>((resolve) =>
        child.once('error', (e: NodeJS.ErrnoException) => resolve(new Error(e.code === 'ENOENT' ? `no Python interpreter at ${python}` : e.message))),
      );
      session.listen();
      const first = await Promise.race([session.nextLine(120_000), failedToStart]);
      if (first instanceof Error) throw new TorchUnavailable(`${first.message} (set PYTHON to an interpreter with torch; on Debian: ${TORCH_INSTALL})`);
      if (first === null) throw new TorchUnavailable(`${python} did not start the PyTorch script${session.stderrTail()}`);
      const hello = parseLine<Hello>(first);
      if (hello.type !== 'ready') throw new TorchUnavailable(`${hello.python} (Python ${hello.pythonVersion}): ${hello.reason}`);
      const { type: _ready, ...info } = hello;
      session.info = info;
      return session;
    } catch (e) {
      if (session) session.close();
      else rmSync(dir, { recursive: true, force: true });
      throw e instanceof TorchUnavailable ? e : new TorchUnavailable((e as Error).message);
    }
  }

  private listen(): void {
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.lines.push(line);
    });
    // A script that died between two requests makes the next write fail (EPIPE): 'close' reports it.
    this.child.stdin!.on('error', () => {});
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    this.child.once('close', () => {
      this.ended = true;
      this.waiting?.(null);
      this.waiting = null;
    });
  }

  private stderrTail(): string {
    const last = this.stderr.trim().split('\n').at(-1);
    return last ? `: ${last}` : '';
  }

  /** The next line of output, or null when the script has ended or taken longer than timeoutMs. */
  private nextLine(timeoutMs: number): Promise<string | null> {
    if (this.lines.length) return Promise.resolve(this.lines.shift()!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        resolve(null);
      }, timeoutMs);
      this.waiting = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  private async request(cmd: object): Promise<Extract<Reply, { ok: true }>> {
    if (this.ended) throw new Error(`the PyTorch script has ended${this.stderrTail()}`);
    this.child.stdin!.write(JSON.stringify(cmd) + '\n');
    const line = await this.nextLine(600_000);
    if (line === null) throw new Error(`the PyTorch script did not answer${this.stderrTail()}`);
    const reply = parseLine<Reply>(line);
    if (!reply.ok) throw new Error(reply.error);
    return reply;
  }

  /** An n×n product timed like measure(); opts resolved (resolveOptions). */
  async matmul(n: number, opts: object): Promise<Timing> {
    const r = await this.request({ cmd: 'matmul', n, opts });
    return timingOf(r.timings[0]);
  }

  /** The model's loss before training, then forward and train step alternating (measureEach), as the JS side does. */
  async model(model: 'mlp' | 'cnn', opts: object): Promise<{ loss: number; forward: Timing; step: Timing }> {
    const r = await this.request({ cmd: 'model', model, opts });
    return { loss: r.loss!, forward: timingOf(r.timings[0]), step: timingOf(r.timings[1]) };
  }

  close(): void {
    if (!this.ended) {
      this.child.stdin?.end(JSON.stringify({ cmd: 'quit' }) + '\n');
      // A script busy past the benchmark's end is ended.
      setTimeout(() => this.child.kill(), 2000).unref();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
