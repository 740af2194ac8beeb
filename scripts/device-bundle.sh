#!/usr/bin/env bash
# Builds a self-contained folder to run RL Casino on a GPU machine that has no Java and reaches
# nothing outside: a jlink'ed JDK 25 runtime, a trimmed TornadoVM SDK, casino.jar with the TornadoVM
# backend, the TornadoVM parity tests with a JUnit console launcher, a one-phase quickstart config and
# scripts/run-on-device.sh; and the folder packed as DIR.tar.xz, which is what travels: at most 60 MiB
# (checked; it fails otherwise). The folder itself is larger (its JDK is left uncompressed for xz).
#
#   scripts/device-bundle.sh --sdk DIR [--backends ptx|opencl|ptx,opencl] [--out DIR]
#     --sdk DIR       a TornadoVM 5.2 SDK for JDK 25 (TORNADOVM_HOME); for an NVIDIA GPU one built with the
#                     PTX backend (docs/tornadovm.md, "On a GPU", says how)
#     --backends B    TornadoVM backends the bundle loads (default: ptx when the SDK has it, else opencl);
#                     a backend left out is not loaded, so an OpenCL backend without an OpenCL runtime on
#                     the GPU machine cannot stop the PTX one
#     --out DIR       where to build it (default: target/device-bundle; the archive DIR.tar.xz); replaced
# Then, on the GPU machine: tar -xJf device-bundle.tar.xz && device-bundle/run-on-device.sh [RESULTS_DIR]
# (at most 7 min 45 s; docs/tornadovm.md, "On a GPU").
# Needs: the JDK 25 that bin/find-java finds, Maven (offline is fine once the build has run), python3.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sdk="${TORNADOVM_HOME:-}"
backends=""
out="$root/target/device-bundle"
limit_mib=60
while [ $# -gt 0 ]; do
  case "$1" in
    --sdk) sdk="${2:?--sdk needs a directory}"; shift 2 ;;
    --sdk=*) sdk="${1#--sdk=}"; shift ;;
    --backends) backends="${2:?--backends needs ptx, opencl or ptx,opencl}"; shift 2 ;;
    --backends=*) backends="${1#--backends=}"; shift ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --out=*) out="${1#--out=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "device-bundle: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -z "$sdk" ] || [ ! -f "$sdk/tornado-argfile.template" ]; then
  echo "device-bundle: --sdk (or TORNADOVM_HOME) must name a TornadoVM SDK's top directory (with tornado-argfile.template); got '${sdk}'" >&2
  exit 2
fi
sdk="$(cd "$sdk" && pwd)"
if [ -z "$backends" ]; then
  if [ -f "$sdk/lib/libtornado-ptx.so" ]; then backends=ptx; else backends=opencl; fi
fi
for b in ${backends//,/ }; do
  case "$b" in
    ptx|opencl) [ -f "$sdk/lib/libtornado-$b.so" ] || { echo "device-bundle: the SDK in $sdk has no $b backend (lib/libtornado-$b.so)" >&2; exit 2; } ;;
    *) echo "device-bundle: unknown backend '$b' (ptx or opencl)" >&2; exit 2 ;;
  esac
done
# a PTX library linked against a stand-in libcuda with --as-needed loses its libcuda dependency and fails on
# the GPU with "undefined symbol: cuInit": check that it will load the driver
if [[ ",$backends," == *",ptx,"* ]] && command -v readelf >/dev/null \
   && ! readelf -d "$sdk/lib/libtornado-ptx.so" | grep -q 'NEEDED.*libcuda\.so'; then
  echo "device-bundle: $sdk/lib/libtornado-ptx.so does not load libcuda.so.1 (linked with --as-needed against a stub?);" >&2
  echo "              fix it with: patchelf --add-needed libcuda.so.1 $sdk/lib/libtornado-ptx.so (docs/tornadovm.md)" >&2
  exit 2
fi
case "$out" in
  "$root"|"$root/"|/|"$HOME") echo "device-bundle: refusing to replace $out" >&2; exit 2 ;;
esac

JAVA_HOME="$("$root/bin/find-java")"
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
mvn=(mvn -B -ntp -q)

echo "== build: casino.jar and the TornadoVM backend with its tests compiled (mvn -Ptornado install, tests not run)"
(cd "$root" && "${mvn[@]}" -Ptornado -DskipTests -pl cli,tornado-backend -am install)

mkdir -p "$(dirname "${out%/}")"
tmp="$(mktemp -d "${out%/}.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

echo "== JDK runtime (jlink)"
modules=java.base,java.desktop,java.logging,java.management,java.naming,java.sql,jdk.incubator.vector,jdk.internal.vm.ci,jdk.management,jdk.unsupported,jdk.crypto.ec
# uncompressed modules: xz packs the raw classes far better than jlink's zip (42 vs 60 MiB for the whole bundle)
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-0 --output "$tmp/jdk" 2>/dev/null
if command -v strip >/dev/null; then strip --strip-unneeded "$tmp/jdk/lib/server/libjvm.so"; fi

echo "== TornadoVM SDK ($backends) without its benchmarks, examples, tests and the unused Truffle API"
mkdir -p "$tmp/tornadovm/lib" "$tmp/tornadovm/share/java/tornado" "$tmp/tornadovm/share/java/graalJars" "$tmp/tornadovm/etc"
for b in ${backends//,/ }; do cp "$sdk/lib/libtornado-$b.so" "$tmp/tornadovm/lib/"; done
cp -r "$sdk/etc/." "$tmp/tornadovm/etc/"
cp -r "$sdk/bin" "$tmp/tornadovm/bin"   # the SDK's launchers (tornado, tornado.py), also used to write the argfile
printf 'tornado.backends=%s\n' "$(echo "$backends" | sed 's/\([a-z]*\)/\1-backend/g')" > "$tmp/tornadovm/etc/tornado.backend"
for j in "$sdk"/share/java/graalJars/*.jar; do
  case "$(basename "$j")" in truffle-api-*) ;; *) cp "$j" "$tmp/tornadovm/share/java/graalJars/" ;; esac
done
for j in "$sdk"/share/java/tornado/*.jar; do
  case "$(basename "$j")" in
    tornado-benchmarks-*|tornado-examples-*|tornado-unittests-*|tornado-fuzz-*|tornado-matrices-*|lucene-*|ejml-*|junit-*|hamcrest-*|jmh-*|jopt-*|tornado-cublas-*|tornado-cudnn-*|tornado-cufft-*|tornado-cusparse-*|tornado-cutlass-*) ;;
    tornado-drivers-opencl*) [[ ",$backends," == *",opencl,"* ]] && cp "$j" "$tmp/tornadovm/share/java/tornado/" ;;
    tornado-drivers-ptx*) [[ ",$backends," == *",ptx,"* ]] && cp "$j" "$tmp/tornadovm/share/java/tornado/" ;;
    *) cp "$j" "$tmp/tornadovm/share/java/tornado/" ;;
  esac
done
# the argfile template for exactly the bundled backends, made by the SDK's own generator (module exports differ
# per backend; an SDK's own template may cover only the backend its build named first)
TORNADOVM_HOME="$tmp/tornadovm" python3 "$tmp/tornadovm/bin/gen-tornado-argfile-template.py" "$backends" "$tmp/tornadovm" >/dev/null
grep -q "tornado.drivers.${backends%%,*}" "$tmp/tornadovm/tornado-argfile.template" \
  || { echo "device-bundle: the SDK's gen-tornado-argfile-template.py did not write a template for $backends" >&2; exit 1; }

echo "== casino, the parity tests and their launcher"
mkdir -p "$tmp/casino" "$tmp/tests/lib" "$tmp/run-configs"
cp "$root/cli/target/casino.jar" "$tmp/casino/casino.jar"
cp "$root"/tornado-backend/target/tornado-backend-*-SNAPSHOT.jar "$tmp/casino/tornado-backend.jar"
cp -r "$root/tornado-backend/target/test-classes" "$tmp/tests/classes"
cp "$root"/test-support/target/test-support-*.jar "$tmp/tests/lib/"
junit_platform=1.14.4
(cd "$root" && "${mvn[@]}" dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
   -DoutputDirectory="$tmp/tests/lib" -Dmdep.useBaseVersion=true)
(cd "$root" && "${mvn[@]}" -Ptornado dependency:copy-dependencies -pl tornado-backend -DincludeScope=test \
   -DincludeArtifactIds=assertj-core -DoutputDirectory="$tmp/tests/lib")
cp "$root"/run-configs/quickstart.json "$tmp/run-configs/"
python3 - "$root/run-configs/quickstart.json" "$tmp/run-configs/quickstart-sft.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["name"] = "quickstart-sft"
c["phases"] = c["phases"][:1]
c.pop("experiment", None)
c["backend"] = {"kind": "tornado"}
json.dump(c, open(sys.argv[2], "w"), indent=2)
EOF
cp "$root/scripts/run-on-device.sh" "$tmp/run-on-device.sh"
chmod +x "$tmp/run-on-device.sh"
git -C "$root" rev-parse HEAD > "$tmp/COMMIT" 2>/dev/null || echo unknown > "$tmp/COMMIT"
printf 'backends=%s\nsdk=%s\nbuilt=%s\n' "$backends" "$sdk" "$(date -u +%FT%TZ)" > "$tmp/BUNDLE"

echo "== packing (xz)"
folder_kib=$(du -sk "$tmp" | cut -f1)
name="$(basename "${out%/}")"
rm -rf "${out%/}" "${out%/}.tar.xz"
mv "$tmp" "${out%/}"
trap 'rm -rf "${out%/}.tar.xz.part"' EXIT
tar -C "$(dirname "${out%/}")" -cf - "$name" | xz -T0 -6 > "${out%/}.tar.xz.part"
archive_kib=$(( $(stat -c %s "${out%/}.tar.xz.part") / 1024 ))
if [ "$archive_kib" -gt $((limit_mib * 1024)) ]; then
  du -sk "${out%/}"/* "${out%/}"/tornadovm/share/java/* >&2
  echo "device-bundle: the archive is $((archive_kib / 1024)) MiB, over the $limit_mib MiB limit; no archive written" >&2
  exit 1
fi
mv "${out%/}.tar.xz.part" "${out%/}.tar.xz"
trap - EXIT
echo "wrote ${out%/}.tar.xz ($((archive_kib / 1024)) MiB; folder ${out%/}, $((folder_kib / 1024)) MiB; backends $backends)"
echo "on the GPU machine: tar -xJf $name.tar.xz && $name/run-on-device.sh [RESULTS_DIR]"
