#!/usr/bin/env python3
"""The GPU kit's measurements (tools/gpu-check.sh runs this after building; docs/design.md, "GPU kit").

(a) The device against the CPU, on the tiny config with the parity fixtures' networks: datagen pairs (fp32 and
    bf16), 5 train steps (fp32 and bf16), one-step infer of 2 images, eval of those images with all five metrics
    (random metric weights); each compared with the CPU fp32 run within a stated tolerance.
(b) Throughput with the full-size networks (random weights: the cost does not depend on the values): datagen
    pairs/s in fp32 and bf16, train samples/s from shards at per-GPU batch 16/32/64 in fp32 and bf16, one-step infer
    latency for 256², 512² and 1024² outputs, eval images/s per metric; peak device memory; MFU from the FLOP counts.

Writes gpu-results.json and gpu-results.md to --out (logs under --out/logs). With --quick (the kit's CPU mode) (b)
runs the tiny config at small sizes: it proves the plumbing, its numbers mean nothing. Exit 0 when every (a)
comparison is within its tolerance and every command ran; 1 otherwise. Needs python3 with numpy and h5py.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parent.parent
TINY = "configs/tiny.ini"
PAPER = "configs/paper_realsr_x4.ini"
TEACHER = "tests/fixtures/parity/unet_small.pth"
AUTOENCODER = "tests/fixtures/parity/vq_small.pth"
BENCH = REPO / "data/benchmarks/val_sr_small"

# FLOPs of the full-size networks per 256² output (README, Benchmarks): a backward costs twice a forward.
GF_UNET, GF_ENCODE, GF_DECODE = 101.0, 345.0, 671.0
# A datagen pair: the 15-step teacher chain plus the VQ encodes of the LQ (z_y) and of the GT (z_gt).
GF_DATAGEN_PAIR = 15 * GF_UNET + 2 * GF_ENCODE
# A training sample from shards: three student calls with their backward (L_distill, L_inverse, the outer L_gt
# call) and the inner L_gt call without gradient.
GF_TRAIN_SAMPLE = 3 * 3 * GF_UNET + GF_UNET
# One-step SR of a 256² output: encode the LQ, one UNet call, decode.
GF_INFER_256 = GF_ENCODE + GF_UNET + GF_DECODE

# (a) tolerances. On a GPU, fp32 convolutions run in TF32 (cuDNN's default in LibTorch, as in PyTorch), so fp32 is
# compared at 1e-2; bf16 against fp32 at the bounds the CPU tests use (measured there: datagen 2.3e-2, loss 4.4e-4).
# z_teacher is the end of the 15-step chain of the fixture's seeded-random teacher, which amplifies rounding: CPU bf16
# measured 8.6e-2 here (a trained teacher's chain: 2.8e-3), so its bounds are wider.
TOL_PAIRS = {"fp32": 1e-2, "bf16": 6e-2}  # relative L2 of every float dataset of the shards
TOL_CHAIN = {"fp32": 3e-2, "bf16": 0.15}  # ... and of z_teacher
TOL_LOSS = {"fp32": 1e-2, "bf16": 2e-2}  # relative difference of every loss term, every step
TOL_INFER_PSNR_DB = 40.0  # PSNR of the device's output against the CPU's (8-bit images)
TOL_METRIC = 5e-3  # relative difference of every metric's mean (PSNR/SSIM run on the CPU either way)


class Runner:
    """Runs the built binaries from the repository root, each command's output kept in logs/<name>.log."""

    def __init__(self, build: Path, out: Path, device: str):
        self.build, self.logs, self.device = build, out / "logs", device
        self.logs.mkdir(parents=True, exist_ok=True)
        self.failures = []

    def run(self, name, args, timeout=600):
        exe = args[0] if args[0].startswith("/") else str(self.build / args[0])
        cmd = [exe] + [str(a) for a in args[1:]]
        t0 = time.time()
        with open(self.logs / f"{name}.log", "w") as log:
            log.write(" ".join(cmd) + "\n")
            log.flush()
            try:
                rc = subprocess.run(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                rc = "timeout"
        seconds = time.time() - t0
        text = (self.logs / f"{name}.log").read_text(errors="replace")
        print(f"  {name}: rc {rc}, {seconds:.1f} s", flush=True)
        if rc != 0:
            self.failures.append(f"{name}: exit {rc} (logs/{name}.log)")
            print("    " + "\n    ".join(text.strip().splitlines()[-6:]), flush=True)
            return None
        return text


def rel_l2(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def shard_arrays(folder: Path):
    out = {}
    for shard in sorted(folder.glob("pairs-*.h5")):
        with h5py.File(shard, "r") as f:
            for name, ds in f.items():
                if ds.dtype.kind == "f":
                    out.setdefault(name, []).append(ds[()])
    return {k: np.concatenate(v) for k, v in out.items()}


def losses(run_dir: Path):
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]
    keys = [k for k in ("distill", "inverse", "gt", "loss") if k in rows[0]]
    return np.array([[r[k] for k in keys] for r in rows]), rows


def eval_means(folder: Path):
    rows = json.loads((folder / "results.json").read_text())["rows"]
    return {f'{r["metric"]} {r["variant"]}': r["value"] for r in rows}


def accuracy(r: Runner, work: Path, device: str):
    """(a): returns rows {check, value, tolerance, ok}."""
    rows = []

    def check(name, value, tolerance, ok):
        rows.append({"check": name, "value": value, "tolerance": tolerance, "ok": bool(ok)})
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {value:.4g} (tolerance {tolerance})", flush=True)

    nets = ["--config", TINY, "--teacher", TEACHER, "--autoencoder", AUTOENCODER]
    # Runs are named ref (the CPU in fp32) and <device>-<precision> (the device under test; cpu too in CPU mode).
    runs = [("ref", "cpu", "fp32"), (f"{device}-fp32", device, "fp32"), (f"{device}-bf16", device, "bf16")]
    for name, dev, prec in runs:
        r.run(f"a-datagen-{name}", ["sinsr", "datagen", *nets, f"--data.hr={BENCH / 'gt'}", "--num-samples", 8,
                                    f"--datagen.precision={prec}", "--device", dev, "--out", work / f"pairs-{name}"])
    ref = shard_arrays(work / "pairs-ref")
    for name, dev, prec in runs[1:]:
        got = shard_arrays(work / f"pairs-{name}")
        for key in sorted(ref):
            e = rel_l2(got[key], ref[key]) if key in got and got[key].shape == ref[key].shape else float("inf")
            tol = (TOL_CHAIN if key == "z_teacher" else TOL_PAIRS)[prec]
            check(f"datagen {dev} {prec}: {key}, rel L2 vs cpu fp32", e, tol, e <= tol)

    for name, dev, prec in runs:
        r.run(f"a-train-{name}", ["sinsr", "train", "--config", TINY, "--teacher", TEACHER, "--data", work / "pairs-ref",
                                  "--out", work / f"train-{name}", "--train.steps=5", "--train.batch_size=4",
                                  "--train.microbatch=4", "--train.val_samples=1", "--train.log_every=1",
                                  "--train.warmup=1", f"--train.precision={prec}", "--device", dev])
    if (work / "train-ref/metrics.jsonl").exists():
        ref_losses, _ = losses(work / "train-ref")
        for name, dev, prec in runs[1:]:
            e = float("inf")
            if (work / f"train-{name}/metrics.jsonl").exists():
                got, _ = losses(work / f"train-{name}")
                if got.shape == ref_losses.shape:
                    e = float(np.max(np.abs(got - ref_losses) / np.abs(ref_losses)))
            check(f"train {dev} {prec}: 5 steps' losses, max rel diff vs cpu fp32", e, TOL_LOSS[prec], e <= TOL_LOSS[prec])

    lq, gt = work / "lq2", work / "gt2"
    for d in (lq, gt):
        d.mkdir(exist_ok=True)
    for f in sorted((BENCH / "lq").glob("*.png"))[:2]:
        shutil.copy(f, lq / f.name)
        shutil.copy(BENCH / "gt" / f.name, gt / f.name)
    for name, dev in (("ref", "cpu"), (device, device)):
        r.run(f"a-infer-{name}", ["sinsr", "infer", *nets[:2], "--model", TEACHER, "--autoencoder", AUTOENCODER,
                                  "-i", lq, "-o", work / f"infer-{name}", "--device", dev])
    r.run("a-infer-compare", ["sinsr", "eval", "--pred", work / f"infer-{device}", "--gt", work / "infer-ref",
                              "--out", work / "infer-compare", "--device", "cpu", "--eval.metrics=psnr",
                              "--eval.psnr_ssim_variants=pyiqa-rgb"])
    if (work / "infer-compare/results.json").exists():
        psnr = eval_means(work / "infer-compare")["psnr pyiqa-rgb"]  # identical images: inf
        check(f"infer {device} fp32: 2 images, PSNR (dB) vs cpu fp32", psnr, f">= {TOL_INFER_PSNR_DB}",
              psnr >= TOL_INFER_PSNR_DB)

    weights = work / "metric-weights"
    r.run("a-metric-weights", ["tools/bench/random_weights", "--out", weights, "--config", TINY, "--metrics"])
    metric_keys = [f"--eval.lpips_alex_backbone={weights / 'lpips_alex_backbone.pth'}",
                   f"--eval.lpips_alex_lin={weights / 'lpips_alex_lin.pth'}",
                   f"--eval.clipiqa_weights={weights / 'clipiqa_rn50.pth'}",
                   f"--eval.clipiqa_text_features={weights / 'clipiqa_text.pth'}",
                   f"--eval.musiq_weights={weights / 'musiq_koniq.pth'}"]
    for name, dev in (("ref", "cpu"), (device, device)):
        r.run(f"a-eval-{name}", ["sinsr", "eval", "--pred", work / "infer-ref", "--gt", gt, "--out",
                                 work / f"eval-{name}", "--device", dev, *metric_keys])
    if (work / "eval-ref/results.json").exists() and (work / f"eval-{device}/results.json").exists():
        ref_m, got_m = eval_means(work / "eval-ref"), eval_means(work / f"eval-{device}")
        for key in sorted(ref_m):
            e = abs(got_m.get(key, float("inf")) - ref_m[key]) / max(abs(ref_m[key]), 1e-12)
            check(f"eval {device} {key}: 2 images, rel diff vs cpu", e, TOL_METRIC, e <= TOL_METRIC)
    return rows


def mfu(flops_per_s, peak_tflops):
    return None if flops_per_s is None else flops_per_s / (peak_tflops * 1e12)


def throughput(r: Runner, work: Path, device: str, quick: bool, peak_tflops: float):
    """(b): returns rows {task, precision, setting, value, unit, peak_mb, mfu}."""
    rows = []
    config = TINY if quick else PAPER
    full = not quick  # the FLOP counts hold for the full-size networks only

    def add(task, prec, setting, value, unit, peak_mb=None, gflop_per_unit=None):
        m = mfu(value * gflop_per_unit * 1e9, peak_tflops) if (full and value and gflop_per_unit) else None
        rows.append({"task": task, "precision": prec, "setting": setting, "value": value, "unit": unit,
                     "peak_mb": peak_mb, "mfu": m})
        print(f"  {task} {prec} {setting}: {value:.4g} {unit}" + (f", peak {peak_mb:.0f} MB" if peak_mb else "")
              + (f", MFU {100 * m:.1f}%" if m is not None else ""), flush=True)

    weights = work / "weights"
    r.run("b-weights", ["tools/bench/random_weights", "--out", weights, "--config", config])
    nets = ["--config", config, "--teacher", weights / "teacher.pth", "--autoencoder", weights / "vq.pth"]
    dg_batch, dg_pairs = (4, 8) if quick else (16, 512)
    for prec in ("fp32", "bf16"):
        out = work / f"pairs-{prec}"
        log = r.run(f"b-datagen-{prec}", ["sinsr", "datagen", *nets, f"--data.hr={BENCH / 'gt'}",
                                          "--num-samples", dg_pairs, f"--datagen.batch_size={dg_batch}",
                                          f"--datagen.shard_size={4 * dg_batch}", f"--datagen.precision={prec}",
                                          "--device", device, "--out", out])
        m = re.search(r"pairs/s, peak memory (\d+) MB", log or "")
        rate = re.search(r"s of generation, ([0-9.e+-]+) pairs/s", log or "")
        if rate:
            add("datagen", prec, f"batch {dg_batch}, {dg_pairs} pairs", float(rate.group(1)), "pairs/s",
                float(m.group(1)) if m else None, GF_DATAGEN_PAIR)

    batches, steps = ((2, 4), 4) if quick else ((16, 32, 64), 12)
    for prec in ("fp32", "bf16"):
        for b in batches:
            run = work / f"train-{prec}-b{b}"
            if r.run(f"b-train-{prec}-b{b}", ["sinsr", "train", "--config", config, "--teacher", weights / "teacher.pth",
                                              "--data", work / "pairs-bf16", "--out", run, f"--train.steps={steps}",
                                              f"--train.batch_size={b}", f"--train.microbatch={b}",
                                              "--train.val_samples=1", f"--train.log_every={steps // 4}",
                                              f"--train.val_every={10 * steps}", f"--train.ckpt_every={10 * steps}",
                                              "--train.warmup=1", f"--train.precision={prec}",
                                              "--device", device]) is not None:
                _, lines = losses(run)
                later = lines[1:] or lines  # the first window holds the warm-up
                rate = float(np.mean([x["samples_per_s"] for x in later]))
                add("train", prec, f"per-GPU batch {b}", rate, "samples/s", max(x["peak_mem_mb"] for x in lines),
                    GF_TRAIN_SAMPLE)

    sizes = "16,32" if quick else "64,128,256"
    for prec in ("fp32", "bf16"):
        js = work / f"infer-{prec}.json"
        if r.run(f"b-infer-{prec}", ["tools/bench/bench_infer", "--device", device, "--precision", prec,
                                     "--sizes", sizes, "--steps", "1", "--runs", 3 if quick else 10,
                                     "--threads", os.cpu_count() or 1,
                                     "--json", js, *(["--config", config] if quick else ["--chop-size", 512])]) is not None:
            for row in json.loads(js.read_text())["results"]:
                side = int(row["lr_size"]) * 4
                area = (side / 256) ** 2
                lat = row["total_s"]
                m = mfu(GF_INFER_256 * area * 1e9 / lat, peak_tflops) if full else None
                rows.append({"task": "infer", "precision": prec, "setting": f"one step, {side}² output",
                             "value": lat * 1e3, "unit": "ms", "peak_mb": row["peak_mb"], "mfu": m})
                print(f"  infer {prec} {side}²: {lat * 1e3:.2f} ms, peak {row['peak_mb']:.0f} MB"
                      + (f", MFU {100 * m:.1f}%" if m is not None else ""), flush=True)

    js = work / "metrics.json"
    if r.run("b-eval", ["tools/bench/bench_metrics", "--device", device, "--sizes", "64" if quick else "256,512",
                        "--runs", 1 if quick else 3, "--json", js]) is not None:
        for row in json.loads(js.read_text())["results"]:
            add("eval", "fp32", f'{row["metric"]} {row["variant"]} {int(row["size"])}²', row["images_per_s"], "images/s")
    # Every measurement must have produced its rows (a log whose format changed would otherwise pass unnoticed).
    for task, n in (("datagen", 2), ("train", 2 * len(batches)), ("infer", 2 * len(sizes.split(","))), ("eval", 8)):
        got = sum(1 for x in rows if x["task"] == task)
        if got < n:
            r.failures.append(f"(b) {task}: {got} of {n} results")
    return rows


def machine(device):
    info = {"device": device, "host_cores": os.cpu_count()}
    if device == "cuda" and shutil.which("nvidia-smi"):
        q = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
                           capture_output=True, text=True).stdout.strip().splitlines()
        info["gpu"] = q[0] if q else "unknown"
    return info


def markdown(result):
    lines = [f"# GPU kit results: {result['machine'].get('gpu', result['machine']['device'])}", "",
             f"mode: {result['mode']}; MFU against {result['peak_tflops']} TF/s (bf16 dense) for every precision; "
             "FLOPs per 256² output: UNet 101 GF, VQ encode 345 GF, decode 671 GF (x3 with a backward).", "",
             "## (a) device against CPU fp32 (tiny config)", "", "| check | value | tolerance | |", "|---|---|---|---|"]
    for a in result["accuracy"]:
        lines.append(f"| {a['check']} | {a['value']:.4g} | {a['tolerance']} | {'ok' if a['ok'] else '**FAIL**'} |")
    lines += ["", "## (b) throughput", "", "| task | precision | setting | value | peak MB | MFU |", "|---|---|---|---|---|---|"]
    for t in result["throughput"]:
        peak = f"{t['peak_mb']:.0f}" if t["peak_mb"] else ""
        m = f"{100 * t['mfu']:.1f}%" if t["mfu"] is not None else ""
        lines.append(f"| {t['task']} | {t['precision']} | {t['setting']} | {t['value']:.4g} {t['unit']} | {peak} | {m} |")
    if result["failures"]:
        lines += ["", "## failed commands", ""] + [f"- {f}" for f in result["failures"]]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", required=True, type=Path, help="build folder with sinsr and tools/bench/")
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--quick", action="store_true", help="CPU mode: (b) on the tiny config at small sizes")
    p.add_argument("--peak-tflops", type=float, default=790.0, help="the MFU denominator (default: H200 bf16)")
    args = p.parse_args()
    out = args.out.resolve()
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    r = Runner(args.build.resolve(), out, args.device)
    os.environ.setdefault("SINSR_THREADS", str(os.cpu_count()))
    print("(a) device against CPU, tiny config", flush=True)
    (work / "a").mkdir()
    acc = accuracy(r, work / "a", args.device)
    print("(b) throughput" + (" (quick: tiny config)" if args.quick else ", full-size networks"), flush=True)
    (work / "b").mkdir()
    thr = throughput(r, work / "b", args.device, args.quick, args.peak_tflops)
    result = {"mode": "quick (CPU mode, tiny config)" if args.quick else "full", "machine": machine(args.device),
              "peak_tflops": args.peak_tflops, "accuracy": acc, "throughput": thr, "failures": r.failures}
    (out / "gpu-results.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "gpu-results.md").write_text(markdown(result))
    print(f"written: {out / 'gpu-results.json'}, {out / 'gpu-results.md'}")
    bad = [a["check"] for a in acc if not a["ok"]]
    if bad or r.failures:
        print(f"gpu_measure: {len(bad)} comparison(s) out of tolerance, {len(r.failures)} command(s) failed",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
