#!/bin/sh
# Kbuild evaluation against the real-make oracle, wide: for each tree and arch, the standard
# configs and N randconfigs. Prints oracle counts and, per config, the differences of concrete
# evaluation from the oracle and of the symbolic graph (built once per tree and arch) from
# concrete. Exit status 1 if any config differs.
#   scripts/kbuild-sweep.sh [TREES] [ARCHES] [N_RAND] [STANDARD]
# e.g. scripts/kbuild-sweep.sh "6.12 6.1" "x86_64 arm64" 20
# Oracle walks run one at a time (they are cached on disk afterwards).
set -eu
trees=${1:-"6.12 6.1"}
arches=${2:-"x86_64 arm64"}
nrand=${3:-20}
standard=${4:-"allnoconfig defconfig allmodconfig allyesconfig"}
cd "$(dirname "$0")/.."
cargo build -q --release -p kbuild-graph --examples
status=0
for t in $trees; do
  for a in $arches; do
    configs=$standard
    i=1
    while [ "$i" -le "$nrand" ]; do configs="$configs rand:$i"; i=$((i + 1)); done
    # shellcheck disable=SC2086 # configs is a word list
    ./target/release/examples/compare "$t" "$a" $configs || status=1
  done
done
exit $status
