#!/usr/bin/env python3
"""Side by side: tilec's measurements ($OUT/tilec.json, from `tilec bench all
--json`) against the peers' ($OUT/peers.json and, if present,
$OUT/peers-mma.json, from bench/peers.py), one run on one GPU. Prints a table
of tilec / peer ratios and writes it to $OUT/compare.md."""
import json
import os
import sys

OUT = os.environ.get("OUT", "/tmp/tilec-gpu")


def load(name):
    path = os.path.join(OUT, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def parse(problem):
    """'B=16,D=64,... f16' -> ({'B': 16, ...}, 'f16')"""
    sizes, _, dtype = problem.partition(" ")
    kv = {}
    for part in sizes.split(","):
        if "=" in part:
            k, v = part.split("=")
            kv[k] = int(v)
    return kv, dtype


KEYS = {"flash": ("D", "N", "causal"), "rope": ("T", "H", "D"), "moe": ("T", "Hd", "E", "K")}
GROUP = {"flash": "attn", "rope": "rope", "moe": "moe"}


def key(kernel, problem):
    kv, dtype = parse(problem)
    return tuple(kv.get(k) for k in KEYS[kernel]) + (dtype,)


def main():
    tilec = load("tilec.json")
    peers = load("peers.json") or {"rows": []}
    mma = load("peers-mma.json") or {"rows": []}
    if tilec is None:
        sys.exit(f"no {OUT}/tilec.json")
    copy = next((r["gbps"] for r in peers["rows"] if r["group"] == "limit" and r["name"] == "d2d copy"), None)
    lines = [f"device: {peers.get('device', '?')}", "",
             "| kernel | problem | tilec | peer | peer value | tilec / peer |", "| --- | --- | --- | --- | --- | --- |"]
    for t in tilec:
        kernel = t["Kernel"]
        if kernel not in KEYS:
            continue
        k = key(kernel, t["Problem"])
        metric = "tflops" if kernel == "flash" else "gbps"
        mine = t["TFLOPs"] if metric == "tflops" else t["GBs"]
        unit = "TFLOP/s" if metric == "tflops" else "GB/s"
        for p in peers["rows"] + mma["rows"]:
            if p["group"] != GROUP[kernel]:
                continue
            if key(kernel, p["shape"]) != k:
                continue
            if kernel == "moe":
                # tilec counts the bytes its fused dispatch must move, the
                # peer the rows written and read: compare times.
                ms = t["MedianUS"] / 1e3
                lines.append(f"| {kernel} | {t['Problem']} | {ms:.4f} ms | {p['name']} | {p['ms']:.4f} ms | {p['ms'] / ms:.2f}x faster |")
                continue
            if metric not in p:
                continue
            lines.append(f"| {kernel} | {t['Problem']} | {mine:.1f} {unit} | {p['name']} | {p[metric]:.1f} | {mine / p[metric]:.2f}x |")
        if kernel == "rope" and copy:
            lines.append(f"| rope | {t['Problem']} | {mine:.1f} GB/s | d2d copy | {copy:.1f} | {mine / copy:.2f} of copy |")
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(OUT, "compare.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
