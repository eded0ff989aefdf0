/**
 * safetensors_io.py, written beside model.py: a small reader and writer of safetensors files in plain Python and
 * torch (Debian packages no python3-safetensors), which defers to the `safetensors` package when it is installed.
 * model.py reads the initial weights with it; train.py writes the trained ones with it.
 */
export const SAFETENSORS_IO_PY = String.raw`"""
Read and write safetensors files (https://github.com/huggingface/safetensors) as dicts of torch tensors.

Uses the safetensors package when it is installed, and otherwise this file's own reader and writer (plain Python
and torch): an 8-byte little-endian header length, a JSON header mapping each key to its dtype, shape and byte
range, then the tensors' bytes, little-endian and row-major.

    load_file(path) -> dict[str, torch.Tensor]
    save_file(tensors: dict[str, torch.Tensor], path, metadata=None)
"""
import json
import os
import sys

import torch

try:
    import safetensors.torch as _package
except ImportError:
    _package = None

_DTYPES = {
    'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
    'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8,
    'BOOL': torch.bool,
}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


def load_file(path):
    """The tensors of a safetensors file, by key (on the CPU)."""
    if _package is not None:
        return _package.load_file(str(path))
    _little_endian_only()
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f'{path}: {len(data)} bytes, too short for a safetensors file')
    size = int.from_bytes(data[:8], 'little')
    if size > len(data) - 8:
        raise ValueError(f'{path}: the header length {size} runs past the end of the file')
    header = json.loads(data[8:8 + size].decode('utf-8'))
    start = 8 + size
    tensors = {}
    for key, info in header.items():
        if key == '__metadata__':
            continue
        if info['dtype'] not in _DTYPES:
            raise ValueError(f'{path}: tensor {key!r} has dtype {info["dtype"]}, which this reader does not know')
        dtype = _DTYPES[info['dtype']]
        begin, end = info['data_offsets']
        if not 0 <= begin <= end <= len(data) - start:
            raise ValueError(f'{path}: tensor {key!r} lies outside the file')
        raw = bytearray(data[start + begin:start + end])
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[key] = flat.reshape(info['shape'])
    return tensors


def save_file(tensors, path, metadata=None):
    """Writes the tensors (detached, to the CPU) as a safetensors file, keys in sorted order, atomically."""
    tensors = {key: value.detach().cpu().contiguous() for key, value in tensors.items()}
    tmp = f'{path}.tmp{os.getpid()}'
    if _package is not None:
        _package.save_file({k: v.clone() for k, v in tensors.items()}, tmp, metadata=metadata)
    else:
        _little_endian_only()
        header = {}
        if metadata:
            header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
        chunks = []
        offset = 0
        for key in sorted(tensors):
            t = tensors[key]
            if t.dtype not in _NAMES:
                raise ValueError(f'tensor {key!r} has dtype {t.dtype}, which safetensors does not store')
            raw = _bytes(t)
            header[key] = {'dtype': _NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
            offset += len(raw)
            chunks.append(raw)
        text = json.dumps(header, separators=(',', ':')).encode('utf-8')
        text += b' ' * (-len(text) % 8)  # the data starts 8-byte aligned, as the safetensors package writes it
        with open(tmp, 'wb') as f:
            f.write(len(text).to_bytes(8, 'little'))
            f.write(text)
            for raw in chunks:
                f.write(raw)
    os.replace(tmp, path)


def _bytes(t):
    flat = t.reshape(-1).view(torch.uint8)
    try:
        return flat.numpy().tobytes()
    except (ImportError, RuntimeError):  # torch without numpy
        return bytes(flat.tolist())


def _little_endian_only():
    if sys.byteorder != 'little':
        raise RuntimeError('safetensors_io reads and writes on little-endian machines only; install the safetensors package')
`;
