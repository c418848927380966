#!/usr/bin/env bash
# Build, on a machine without a GPU, everything a GPU machine needs to test
# and benchmark tilec in one go, into .gpu/ (git-ignored):
#   gpu.test     the GPU test binary (tests/gpu), built without cgo
#   tilec        the CLI, built without cgo
#   attention, moe  the example programs (generated package; session API)
#   peers.py     the peer benchmark; compare.py the side-by-side table
#   run.sh       runs tilec doctor, the GPU tests, the examples, tuning
#                tables and tilec bench at one shape per group (MODE=full:
#                tilec bench all), the peers and the comparison, each step
#                under a time limit; logs and JSON packed in $OUT/logs.tgz
#                (OUT defaults to /tmp/tilec-gpu)
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
# Runs on the GPU machine. Each step has its own time limit, so the script
# always reaches the end (DEADLINE): logs and JSON go to $W, packed into
# $OUT/logs.tgz.
# MODE=quick (default) benches one shape per group (flash at N=4096, f16)
# and the peers at those shapes; MODE=full runs tilec bench all and every
# peer shape (about half an hour).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export OUT="${OUT:-/tmp/tilec-gpu}"
MODE="${MODE:-quick}"
W=/tmp/tilec-w
DEADLINE="${DEADLINE:-480}" # seconds: later steps are skipped, so the logs come back (a 15-minute lease: run with timeout_s 540)
mkdir -p "$W" "$OUT"
export XDG_CACHE_HOME=/tmp/tilec-cache
status=0
step() { # step NAME SECONDS CMD...: runs CMD with a limit, its output to $W/NAME.log
  local name=$1 secs=$2; shift 2
  local t0=$SECONDS
  if [ $((DEADLINE - SECONDS)) -lt 10 ]; then echo "== $name: skipped (deadline)" | tee -a "$W/steps.log"; status=1; return 1; fi
  secs=$(( secs < DEADLINE - SECONDS ? secs : DEADLINE - SECONDS ))
  timeout -k 5 "$secs" "$@" > "$W/$name.log" 2>&1
  local rc=$?
  echo "== $name: rc=$rc in $((SECONDS - t0)) s" | tee -a "$W/steps.log"
  [ $rc -eq 0 ] || status=1
  return $rc
}
pack() { tar czf "$OUT/logs.tgz" -C "$W" . ; }
trap pack EXIT
step doctor 30 "$here/tilec" doctor; cat "$W/doctor.log"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv >> "$W/doctor.log" 2>&1
step gpu-tests "${T_TESTS:-150}" env TILEC_REQUIRE_GPU=1 "$here/gpu.test" -test.v -test.timeout 20m
grep -E "^(--- FAIL|FAIL|ok|PASS)|Error" "$W/gpu-tests.log" | head -30
for ex in attention moe; do step "example-$ex" 60 "$here/$ex" -device gpu; tail -5 "$W/example-$ex.log"; done
benchone() { # benchone I KERNEL SHAPE: tune (table of every config), then bench
  local i=$1 k=$2 shape=$3 dt=f16
  [ "$k" = flash ] || dt=bf16
  step "tune-$i" "${T_TUNE:-60}" "$here/tilec" tune "$k" --device gpu --shape "$shape" --dtype $dt --budget "${BUDGET:-2s}" --quiet --json "$W/tune-$i.json"
  step "bench-$i" 30 "$here/tilec" bench "$k" --shape "$shape" --dtype $dt --budget "${BUDGET:-2s}" --json "$W/bench-$i.json"
  grep -E "^[│|] *$k" "$W/bench-$i.log" || tail -3 "$W/bench-$i.log"
}
merge() {
  python3 - "$W" <<'PY'
import glob, json, os, sys
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "bench-*.json"))):
    rows += json.load(open(f))
json.dump(rows, open(os.path.join(sys.argv[1], "tilec.json"), "w"), indent=1)
PY
}
if [ "$MODE" = full ]; then
  step bench 1800 "$here/tilec" bench all --json "$W/tilec.json"
else
  benchone 1 flash B=4,H=16,N=4096,D=128
  benchone 2 flash B=4,H=32,N=4096,D=64
  benchone 3 flash B=4,H=16,N=4096,D=128,causal=1
  benchone 4 flash B=4,H=32,N=4096,D=64,causal=1
fi
if python3 -c "import torch, triton" 2>/dev/null; then
  quick=1; [ "$MODE" = full ] && quick=0
  step peers "${T_PEERS:-240}" env OUT="$W" PEERS_QUICK=$quick PYTHONUNBUFFERED=1 python3 "$here/peers.py"
  # Triton forced onto mma.sync, the instruction tilec's kernels use.
  step peers-mma "${T_PEERS_MMA:-120}" env OUT="$W" DISABLE_MMA_V3=1 PEERS_QUICK=$quick PYTHONUNBUFFERED=1 python3 "$here/peers.py"
else
  echo "torch or triton is missing: peers not measured" | tee "$W/peers.log"
fi
if [ "$MODE" != full ]; then
  benchone 5 rope T=16384,H=32,HK=0,D=128,pos=0
  benchone 6 moe T=16384,Hd=4096,E=8,K=2,f32logits=1
  benchone 7 moe T=8192,Hd=7168,E=256,K=8,f32logits=1
  benchone 8 rope T=65536,H=8,HK=0,D=128,pos=0
  benchone 9 moe T=32768,Hd=2048,E=128,K=8,f32logits=1
  merge
fi
[ -f "$W/peers.json" ] && { OUT="$W" python3 "$here/compare.py" || status=1; }
cat "$W/steps.log"
exit $status
RUN
chmod +x .gpu/run.sh
echo "built .gpu/: $(ls .gpu | tr '\n' ' ')"
