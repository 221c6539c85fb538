#!/bin/sh
# demo.sh: installs what is missing, builds refuge, loads the reference case
# into a demo database (demo/refuge.db) and shows its timeline.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"

mkdir -p demo
export REFUGE_DB="$PWD/demo/refuge.db"
./build/refuge import examples/kazakhstan-2019.json
echo
./build/refuge show kz-2019-xuar-asylum-seekers
echo
echo "== findings as of 10 December 2019 (the date of the reference statement)"
./build/refuge check --as-of 2019-12-10
