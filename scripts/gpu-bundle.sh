#!/usr/bin/env bash
# Build, on a machine without a GPU, everything a GPU machine needs to test
# and benchmark tilec in one go, into .gpu/ (git-ignored):
#   gpu.test     the GPU test binary (tests/gpu), built without cgo
#   tilec        the CLI, built without cgo
#   attention, moe  the example programs (generated package; session API)
#   peers.py     the peer benchmark; compare.py the side-by-side table
#   run.sh       runs the GPU tests, tilec doctor, flash tuning tables,
#                tilec bench all, the peers (twice: Triton on wgmma, then
#                forced to mma.sync) and the comparison, writing logs and
#                JSON under $OUT (default /tmp/tilec-gpu)
# Usage: scripts/gpu-bundle.sh && (on the GPU machine) .gpu/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu
CGO_ENABLED=0 go test -c -o .gpu/gpu.test ./tests/gpu
CGO_ENABLED=0 go build -o .gpu/tilec ./cmd/tilec
CGO_ENABLED=0 go build -o .gpu/attention ./examples/attention
CGO_ENABLED=0 go build -o .gpu/moe ./examples/moe
cp bench/peers.py bench/compare.py .gpu/
cat > .gpu/run.sh <<'RUN'
#!/usr/bin/env bash
# Runs on the GPU machine; everything lands in $OUT.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export OUT="${OUT:-/tmp/tilec-gpu}"
mkdir -p "$OUT"
export XDG_CACHE_HOME="$OUT/cache"
status=0
echo "== doctor"; "$here/tilec" doctor 2>&1 | tee "$OUT/doctor.log"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv 2>&1 | tee -a "$OUT/doctor.log" || true
echo "== GPU tests"
TILEC_REQUIRE_GPU=1 "$here/gpu.test" -test.v -test.timeout 20m > "$OUT/gpu-tests.log" 2>&1 || status=1
grep -E "^(--- FAIL|FAIL|ok|PASS)" "$OUT/gpu-tests.log" | tail -20
echo "== examples on the GPU"
for ex in attention moe; do "$here/$ex" -device gpu 2>&1 | tee "$OUT/example-$ex.log" || status=1; done
echo "== flash tuning tables (the JIT's registers and spills beside codegen's estimate)"
for d in 64 128; do
  "$here/tilec" tune flash --device gpu --shape B=4,H=16,N=4096,D=$d --json "$OUT/tune-flash-d$d.json" 2>&1 | tee "$OUT/tune-flash-d$d.log" || status=1
done
echo "== tilec bench all"
"$here/tilec" bench all --json "$OUT/tilec.json" 2>&1 | tee "$OUT/bench.log" || status=1
if python3 -c "import torch, triton" 2>/dev/null; then
  echo "== peers"
  python3 "$here/peers.py" > "$OUT/peers.log" 2>&1 || status=1
  DISABLE_MMA_V3=1 python3 "$here/peers.py" > "$OUT/peers-mma.log" 2>&1 || status=1
  python3 "$here/compare.py" || status=1
else
  echo "torch or triton is missing: peers not measured" | tee "$OUT/peers.log"
fi
exit $status
RUN
chmod +x .gpu/run.sh
echo "built .gpu/: $(ls .gpu | tr '\n' ' ')"
