#!/bin/sh
# demo.sh: installs what is missing, builds refuge, loads the reference case
# into a demo database (demo/refuge.db), prints its timeline and findings,
# and starts the server on 127.0.0.1 (Ctrl-C stops it).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh

cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-rel -j "$(nproc 2>/dev/null || echo 2)"

mkdir -p demo
export REFUGE_DB="$PWD/demo/refuge.db"
# The demo database is encrypted; its passphrase is kept beside it (like the
# admin password below) so that the demo runs unattended. A real store's
# passphrase is typed, or comes from a file on other media.
if [ ! -f demo/passphrase ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > demo/passphrase)
fi
export REFUGE_PASSPHRASE_FILE="$PWD/demo/passphrase"
if [ ! -f "$REFUGE_DB" ]; then
    ./build-rel/refuge init
fi
./build-rel/refuge import examples/kazakhstan-2019.json
echo
./build-rel/refuge show kz-2019-xuar-asylum-seekers
echo
echo "== findings as of 10 December 2019 (the date of the reference statement)"
./build-rel/refuge check --as-of 2019-12-10

# A demo account, created once; its password is kept beside the database.
if [ ! -f demo/admin-password ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > demo/admin-password)
    ./build-rel/refuge user add admin --role admin < demo/admin-password
fi
echo
echo "== sign in as 'admin' with the password in demo/admin-password"
exec ./build-rel/refuge serve --listen "${REFUGE_LISTEN:-127.0.0.1:8080}"
