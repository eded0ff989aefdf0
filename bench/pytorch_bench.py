"""PyTorch reference for bench/engine.bench.ts: the same workloads on CPU, one thread.

    python3 bench/pytorch_bench.py DIR

DIR holds manifest.json and the raw little-endian tensors that bench/pytorch.ts wrote from
bench/models.ts (the engine's initial weights and batches). The script prints one JSON line about
itself (interpreter, torch, the BLAS it really calls, threads), then answers one JSON line per
command read from stdin, so that the benchmark can interleave it with the engine and TF.js round by
round. Timing follows bench/harness.ts's measureEach: warm-up, then the functions alternating, with
the limits the benchmark sends (already scaled). stdout carries only the protocol.
(Not named torch.py: that would shadow the torch package.)
"""

import ctypes
import gc
import json
import os
import platform
import re
import sys
import time

# OpenBLAS reads its thread count when it is loaded (when torch is imported), and torch.set_num_threads
# does not reach it; the benchmark sets these too, this is for running the script by hand.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

INSTALL_HINT = "set PYTHON to an interpreter with torch, or on Debian: apt-get install python3-torch libopenblas0-pthread"


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def interpreter():
    return {"python": sys.executable, "pythonVersion": platform.python_version()}


try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    send(dict(type="unavailable", reason=f"{e} ({INSTALL_HINT})", **interpreter()))
    sys.exit(0)

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


# ------------------------------------------------------------------ inputs


def load_manifest(root):
    with open(os.path.join(root, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)

    def tensor(t):
        a = np.fromfile(os.path.join(root, t["file"]), dtype=t["dtype"])
        if a.size != int(np.prod(t["shape"])):
            raise ValueError(f"{t['file']}: {a.size} values, expected shape {t['shape']}")
        # astype: native byte order, which torch.from_numpy needs.
        return torch.from_numpy(a.reshape(t["shape"]).astype(a.dtype.newbyteorder("="), copy=False))

    return manifest, tensor


# ------------------------------------------------------------------ BLAS and threads


def mapped_libraries():
    """(start, end, path) of every file mapped into this process (Linux only)."""
    out = []
    with open("/proc/self/maps", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and parts[5].startswith("/"):
                start, end = (int(x, 16) for x in parts[0].split("-"))
                out.append((start, end, parts[5]))
    return out


def blas_report():
    """Which library torch's sgemm_ calls really land in, as torch.__config__ says only BLAS_INFO=generic on Debian."""
    info = {"sgemmLibrary": None, "torchLibrary": None, "openblas": None, "mapped": [], "configBlasInfo": None}
    match = re.search(r"\bBLAS_INFO=([^,\s]+)", torch.__config__.show())
    info["configBlasInfo"] = match.group(1) if match else None
    a = torch.ones(64, 64)
    torch.mm(a, a)  # loads whatever is loaded lazily
    try:
        maps = mapped_libraries()
    except OSError as e:
        info["error"] = f"cannot read /proc/self/maps ({e})"
        return info
    names = ("blas", "mkl", "blis", "atlas", "accelerate")
    info["mapped"] = sorted({p for _, _, p in maps if any(n in os.path.basename(p).lower() for n in names)})
    torch_cpu = next((p for _, _, p in maps if os.path.basename(p).startswith("libtorch_cpu")), None)
    info["torchLibrary"] = torch_cpu
    if torch_cpu is None:
        info["error"] = "libtorch_cpu is not mapped"
        return info
    try:
        # dlsym through libtorch_cpu's handle resolves sgemm_ as its own calls do (its dependency order).
        address = ctypes.cast(ctypes.CDLL(torch_cpu).sgemm_, ctypes.c_void_p).value
    except AttributeError:
        info["error"] = "sgemm_ is not visible from libtorch_cpu"
        return info
    info["sgemmLibrary"] = next((p for s, e, p in maps if s <= address < e), None)
    if info["sgemmLibrary"]:
        blas = ctypes.CDLL(info["sgemmLibrary"])
        if hasattr(blas, "openblas_get_config"):
            blas.openblas_get_config.restype = ctypes.c_char_p
            blas.openblas_get_corename.restype = ctypes.c_char_p
            blas.openblas_set_num_threads(1)
            info["openblas"] = {
                "config": blas.openblas_get_config().decode(),
                "core": blas.openblas_get_corename().decode(),
                "threads": blas.openblas_get_num_threads(),
            }
    return info


# ------------------------------------------------------------------ timing


def now_ms():
    return time.perf_counter() * 1000


def measure_each(fns, o):
    """bench/harness.ts measureEach, with its options resolved by the caller."""
    nf = len(fns)
    w = 0
    w0 = now_ms()
    while w < o["warmup"] or (w < o["maxWarmup"] and now_ms() - w0 < o["warmupMs"] * nf):
        for fn in fns:
            fn()
        w += 1
    wall = [[] for _ in fns]
    cpu = [[] for _ in fns]
    s0 = now_ms()
    n = 0
    while n < o["maxIters"] and (n < o["minIters"] or now_ms() - s0 < o["budgetMs"] * nf):
        for i, fn in enumerate(fns):
            c0 = time.process_time()
            t0 = time.perf_counter()
            fn()
            wall[i].append((time.perf_counter() - t0) * 1000)
            cpu[i].append((time.process_time() - c0) * 1000)
        n += 1
    return [{"wall": wall[i], "cpu": cpu[i], "warmup": w} for i in range(nf)]


# ------------------------------------------------------------------ workloads


def copy_into(param, value):
    if tuple(param.shape) != tuple(value.shape):
        raise ValueError(f"shape {tuple(value.shape)} given for a parameter of shape {tuple(param.shape)}")
    with torch.no_grad():
        param.copy_(value)


def linear(spec, tensor):
    w, b = tensor(spec["weight"]), tensor(spec["bias"])
    layer = nn.Linear(w.shape[1], w.shape[0])  # weight [out, in], as the engine's
    copy_into(layer.weight, w)
    copy_into(layer.bias, b)
    return layer


def conv(spec, tensor):
    w, b = tensor(spec["weight"]), tensor(spec["bias"])
    layer = nn.Conv2d(w.shape[1], w.shape[0], (w.shape[2], w.shape[3]))  # OIHW, stride 1, no padding
    copy_into(layer.weight, w)
    copy_into(layer.bias, b)
    return layer


def build_model(name, manifest, tensor):
    m = manifest[name]
    if name == "mlp":
        layers = []
        for i, spec in enumerate(m["layers"]):
            layers.append(linear(spec, tensor))
            if i < len(m["layers"]) - 1:
                layers.append(nn.ReLU())
    elif name == "cnn":
        layers = []
        for spec in m["convs"]:
            layers += [conv(spec, tensor), nn.ReLU(), nn.MaxPool2d(m["pool"])]
        layers += [nn.Flatten(), linear(m["fc"], tensor)]
    else:
        raise ValueError(f"unknown model {name!r}")
    return nn.Sequential(*layers), tensor(m["x"]), tensor(m["labels"]).long()


def run_model(cmd, manifest, tensor):
    model, x, y = build_model(cmd["model"], manifest, tensor)
    opt = torch.optim.SGD(model.parameters(), lr=manifest["lr"])

    def forward():
        # With autograd recording, as the engine's and TF.js's forward rows do.
        return F.cross_entropy(model(x), y).item()

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    loss = forward()
    step()  # with the forward above, the first warm-up iteration (as on the JS side)
    t_forward, t_step = measure_each([forward, step], cmd["opts"])
    return {"loss": loss, "timings": [t_forward, t_step]}


def run_matmul(cmd, manifest, tensor):
    m = manifest["matmul"][str(cmd["n"])]
    a, b = tensor(m["a"]), tensor(m["b"])

    def run():
        torch.mm(a, b)[0, 0].item()

    return {"timings": measure_each([run], cmd["opts"])}


COMMANDS = {"matmul": run_matmul, "model": run_model}


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: pytorch_bench.py DIR (DIR: manifest.json and tensors written by bench/pytorch.ts)\n")
        sys.exit(2)
    try:
        manifest, tensor = load_manifest(sys.argv[1])
    except (OSError, ValueError, KeyError) as e:
        send(dict(type="failed", reason=f"cannot read the benchmark's tensors: {e}", **interpreter()))
        sys.exit(1)
    try:
        blas = blas_report()
    except Exception as e:  # a report without the BLAS beats no PyTorch column
        blas = {"error": f"{type(e).__name__}: {e}"}
    send(dict(
        type="ready",
        torch=torch.__version__,
        numpy=np.__version__,
        blas=blas,
        threads={"intraOp": torch.get_num_threads(), "interOp": torch.get_num_interop_threads()},
        onednn=torch.backends.mkldnn.is_available(),
        **interpreter(),
    ))
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        cmd = json.loads(line)
        if cmd.get("cmd") == "quit":
            return
        gc.collect()
        try:
            handler = COMMANDS.get(cmd.get("cmd"))
            if handler is None:
                raise ValueError(f"unknown command {cmd.get('cmd')!r}")
            send(dict(ok=True, **handler(cmd, manifest, tensor)))
        except Exception as e:  # the benchmark shows it in the cell and goes on
            send({"ok": False, "error": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    main()
