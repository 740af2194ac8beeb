#!/usr/bin/env bash
# Runs on the GPU machine, from a folder built by scripts/device-bundle.sh (copied there as
# run-on-device.sh): no Java, Maven or network needed. In at most 7 min 45 s (the parts' limits) it
#   1. lists the TornadoVM devices                                   -> RESULTS/devices.txt
#   2. runs the TornadoVM parity tests (every kernel, whole SFT/DPO/GRPO steps, bytes per step,
#      a whole 4-phase run) on the default device                    -> RESULTS/tests.txt, RESULTS/junit/
#   3. trains the quickstart's SFT phase on the device and on the JVM -> RESULTS/quickstart-*/, *.log
#   4. runs `casino bench train` on the device and on the JVM, at the default shape and a
#      GPT-2-width one                                                -> RESULTS/bench-*.txt and .json
# and writes RESULTS/summary.txt. Each part has its own time limit; a part that fails or runs out
# of time is reported and the next one still runs. Exit status: 0 when every part passed.
#
#   ./run-on-device.sh [RESULTS_DIR]      (default: ./results next to this script)
# Environment: BUDGET_SCALE (default 1) multiplies every time limit; CASINO_JAVA_OPTS adds JVM options.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
results="${1:-$here/results}"
mkdir -p "$results"
results="$(cd "$results" && pwd)"
scale="${BUDGET_SCALE:-1}"
if ! awk -v s="$scale" 'BEGIN { exit !(s ~ /^[0-9]*\.?[0-9]+$/ && s > 0) }'; then
  echo "run-on-device: BUDGET_SCALE must be a positive number (a factor on every time limit), got '$scale'" >&2
  exit 2
fi
if [ $# -gt 1 ]; then
  echo "run-on-device: one argument at most, the results folder; got $#: $*" >&2
  exit 2
fi
export JAVA_HOME="$here/jdk" TORNADOVM_HOME="$here/tornadovm"
java="$JAVA_HOME/bin/java"
if [ ! -x "$java" ] || [ ! -f "$TORNADOVM_HOME/tornado-argfile.template" ]; then
  echo "run-on-device: $here is not a bundle made by scripts/device-bundle.sh (no jdk/ or tornadovm/)" >&2
  exit 2
fi
sed "s#\${TORNADOVM_HOME}#$TORNADOVM_HOME#g" "$TORNADOVM_HOME/tornado-argfile.template" > "$TORNADOVM_HOME/tornado-argfile"

# the JVM options bin/casino uses for TornadoVM
tornado_flags=(@"$TORNADOVM_HOME/tornado-argfile" --add-modules=jdk.incubator.vector --add-opens=java.base/java.nio=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
  -Dtornado.load.annotation.parallel=org.rlcasino.kernels.Parallel -Dtornado.enable.nativeFunctions=False
  -Dtornado.recover.bailout=False -Dtornado.tvm.maxbytecodesize=1048576)
jvm_flags=(--add-modules=jdk.incubator.vector --add-opens=java.base/java.nio=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
# shellcheck disable=SC2206
extra=(${CASINO_JAVA_OPTS:-})
casino_cp="$here/casino/casino.jar:$here/casino/tornado-backend.jar"

failed=0
summary="$results/summary.txt"
{
  echo "RL Casino device run, $(date -u +%FT%TZ), bundle commit $(cat "$here/COMMIT" 2>/dev/null)"
  cat "$here/BUNDLE" 2>/dev/null
  uname -a
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  echo "cores: $(nproc)"
} > "$summary"

# part NAME SECONDS LOG COMMAND...: runs COMMAND under a time limit, output to LOG, one line in the summary
part() {
  local name="$1" seconds="$2" log="$3"
  shift 3
  local limit start rc
  limit=$(awk -v s="$seconds" -v k="$scale" 'BEGIN { printf "%d", s * k }')
  echo "== $name (at most ${limit} s)"
  start=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" > "$log" 2>&1
  rc=$?
  local took=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ]; then
    echo "$name: passed in ${took} s" | tee -a "$summary"
  else
    failed=1
    [ "$rc" -eq 124 ] && rc="timeout"
    echo "$name: FAILED ($rc) after ${took} s; last lines of $log:" | tee -a "$summary"
    tail -n 15 "$log" | sed 's/^/    /' | tee -a "$summary"
  fi
}

casino_tornado=("$java" "${tornado_flags[@]}" "${extra[@]}" -cp "$casino_cp" org.rlcasino.cli.Casino)
casino_jvm=("$java" "${jvm_flags[@]}" "${extra[@]}" -cp "$here/casino/casino.jar" org.rlcasino.cli.Casino)

part devices 45 "$results/devices.txt" "${casino_tornado[@]}" devices --backend tornado

part "parity tests" 150 "$results/tests.txt" "$java" "${tornado_flags[@]}" "${extra[@]}" \
  -cp "$casino_cp:$here/tests/classes:$(echo "$here"/tests/lib/*.jar | tr ' ' ':')" \
  org.junit.platform.console.ConsoleLauncher execute --scan-classpath "$here/tests/classes" --include-tag tornado \
  --disable-banner --details=summary --details-theme=ascii --reports-dir "$results/junit"
grep -E "tests (successful|failed)|step 4: max|per step|whole run|: max \|device − jvm\| weight" "$results/tests.txt" | sed 's/^/    /' >> "$summary"

rm -rf "$results/quickstart-tornado" "$results/quickstart-jvm"
part "quickstart SFT on the device" 60 "$results/quickstart-tornado.log" \
  "${casino_tornado[@]}" train "$here/run-configs/quickstart-sft.json" --backend tornado --quiet --out "$results/quickstart-tornado"
part "quickstart SFT on the JVM" 30 "$results/quickstart-jvm.log" \
  "${casino_jvm[@]}" train "$here/run-configs/quickstart-sft.json" --backend jvm --quiet --out "$results/quickstart-jvm"
for side in tornado jvm; do
  s="$results/quickstart-$side/sft/summary.json"
  [ -f "$s" ] && echo "    $side: $(tr -d '\n ' < "$s" | grep -o '"heldOutAccuracy":[^,]*\|"stepMs":[^,]*' | tr '\n' ' ')" >> "$summary"
done

bench=(bench train --sparsities 97.5,99 --no-torch)
part "bench train, default shape, device" 45 "$results/bench-default-tornado.txt" \
  "${casino_tornado[@]}" "${bench[@]}" --repeats 5 --warmup 2 --backend tornado --json "$results/bench-default-tornado.json"
part "bench train, default shape, JVM" 45 "$results/bench-default-jvm.txt" \
  "${casino_jvm[@]}" "${bench[@]}" --repeats 5 --warmup 2 --threads "$(nproc)" --json "$results/bench-default-jvm.json"
gpt2=(--channels 768 --heads 12 --layers 4 --seq-len 128 --batch 4 --vocab 50257)
part "bench train, GPT-2 width, device" 90 "$results/bench-gpt2-tornado.txt" \
  "${casino_tornado[@]}" "${bench[@]}" "${gpt2[@]}" --repeats 3 --warmup 2 --backend tornado --json "$results/bench-gpt2-tornado.json"

echo "results in $results (summary: $summary)"
cat "$summary"
exit "$failed"
