"""
Runs PyTorch exports for test/export/pytorch.test.ts, all in one process (importing torch takes seconds).

    python3 pytorch_driver.py MANIFEST.json

The manifest lists cases: {"name", "dir" (an exported folder), "feeds" (a safetensors file of the fed tensors),
"floatInputs" (ids whose gradients to report), "evalFeed" (ids fed for inference), "int64" (feed int32 indices as
int64), "kwargs" (call model(**feed) rather than model(feed))}. For each case, with the folder's own model.py and
safetensors_io.py, it writes DIR/result.safetensors:

    out/<key>     forward() in training mode (Dropout modules in eval: the engine's side turns dropout off)
    grad/<key>    every parameter's gradient and every float Input's, after loss.backward() (zeros where none)
    state/<key>   state_dict() after that pass (BatchNorm's running statistics updated)
    eval/<key>    a fresh Model() in eval mode on the inference feed

and prints one JSON line per case: {"name", "ok", "error"?, "seconds", "refusals"?}. Each folder's Python is
compiled first (py_compile). With "refusals": true (the xor example), also what Model() says to ill-fitting feeds.
"""
import importlib.util
import json
import os
import py_compile
import sys
import time
import traceback
import warnings

import torch
from torch import nn


def load_model_module(name, folder):
    sys.path.insert(0, folder)
    try:
        sys.modules.pop('safetensors_io', None)  # each folder's own copy
        spec = importlib.util.spec_from_file_location(f'exported_{name}', os.path.join(folder, 'model.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module, sys.modules['safetensors_io']
    finally:
        sys.path.remove(folder)


def call(model, feed, kwargs):
    return model(**feed) if kwargs else model(feed)


def storable(t):
    t = t.detach()
    return t.float() if t.is_floating_point() else t.to(torch.int32)


def refusals(module, fed):
    """What Model() says to feeds that do not fit (the xor example: Input x [N, 2], Target y int32 [N])."""
    model = module.Model()
    x, y = fed['x'], fed['y']
    tries = {
        'missing': lambda: model(y=y),
        'unknown': lambda: model(x=x, z=y),
        'shape': lambda: model(x=x.reshape(-1)),
        'dtype': lambda: model(x=x, y=y.float()),
        'float for int': lambda: model(x=x.to(torch.int32)),
        'not a tensor': lambda: model(x=x.tolist()),
    }
    messages = {}
    for name, attempt in tries.items():
        try:
            attempt()
            messages[name] = None
        except (TypeError, ValueError) as e:
            messages[name] = f'{type(e).__name__}: {e}'
    return messages


def run(case):
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # an invalid escape or the like fails the case
        for file in ('model.py', 'safetensors_io.py'):
            py_compile.compile(os.path.join(case['dir'], file), cfile=os.path.join(case['dir'], file + 'c'), doraise=True)
    module, sio = load_model_module(case['name'], case['dir'])
    fed = sio.load_file(case['feeds'])
    if case['int64']:
        fed = {k: (v.long() if v.dtype == torch.int32 else v) for k, v in fed.items()}
    result = {}

    model = module.Model()
    model.train()
    for sub in model.modules():
        if isinstance(sub, nn.Dropout):
            sub.eval()
    feed = {k: (v.clone().requires_grad_(True) if k in case['floatInputs'] else v) for k, v in fed.items()}
    out = call(model, feed, case['kwargs'])
    for k, v in out.items():
        result['out/' + k] = storable(v)
    loss = out.get(module.LOSS_KEY)
    if loss is not None and loss.requires_grad:
        loss.backward()
    for k, p in model.named_parameters():
        result['grad/' + k] = storable(p.grad if p.grad is not None else torch.zeros_like(p))
    for k in case['floatInputs']:
        g = feed[k].grad
        result['grad/' + k] = storable(g if g is not None else torch.zeros_like(feed[k]))
    for k, v in model.state_dict().items():
        result['state/' + k] = storable(v)

    fresh = module.Model()
    fresh.eval()
    with torch.no_grad():
        predicted = call(fresh, {k: fed[k] for k in case['evalFeed']}, case['kwargs'])
    for k, v in predicted.items():
        result['eval/' + k] = storable(v)
    sio.save_file(result, os.path.join(case['dir'], 'result.safetensors'))
    return refusals(module, fed) if case.get('refusals') else None


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        manifest = json.load(f)
    torch.manual_seed(0)
    for case in manifest['cases']:
        start = time.time()
        try:
            messages = run(case)
            report = {'name': case['name'], 'ok': True}
            if messages is not None:
                report['refusals'] = messages
        except Exception:  # reported per case; the test names the case and shows the traceback
            report = {'name': case['name'], 'ok': False, 'error': traceback.format_exc()}
        report['seconds'] = round(time.time() - start, 3)
        print(json.dumps(report), flush=True)


if __name__ == '__main__':
    main()
