#!/usr/bin/env bash
# Make PostgreSQL server binaries available for the PostgreSQL store tests
# (src/store/postgres/postgres.test.ts starts its own throwaway cluster from /usr/lib/postgresql/*/bin).
#
# On a fresh Debian machine: apt-get update + apt-get install postgresql. Debian's package may create and
# start the system cluster ("main"); the tests do not use it, so a cluster that this script's install
# started is stopped again (a cluster that was already running before is left alone).
# Idempotent: does nothing when the binaries are already installed.
# Usage: scripts/ci-postgres.sh          (as root, or as a user with sudo)
set -euo pipefail

have_binaries() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null
}

running_clusters() {
  # "version/name" of every online cluster; nothing when postgresql-common is not installed yet.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" { print $1 "/" $2 }'
  fi
}

if have_binaries; then
  echo "ci-postgres: PostgreSQL binaries already installed: $(compgen -G '/usr/lib/postgresql/*/bin' | tr '\n' ' ')"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

before="$(running_clusters)"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends postgresql >/dev/null

# Stop what the install started: the tests run their own cluster on a free port.
for cluster in $(running_clusters); do
  if ! grep -qxF "$cluster" <<<"$before"; then
    echo "ci-postgres: stopping cluster $cluster started by the install"
    "${SUDO[@]}" pg_ctlcluster "${cluster%%/*}" "${cluster#*/}" stop
  fi
done

if ! have_binaries; then
  echo "ci-postgres: installed postgresql but found no /usr/lib/postgresql/*/bin/initdb" >&2
  exit 1
fi
# As root, the test server runs as the "postgres" user that the package creates.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  echo "ci-postgres: no 'postgres' user after the install; the tests cannot run a server as root" >&2
  exit 1
fi
echo "ci-postgres: PostgreSQL ready: $(compgen -G '/usr/lib/postgresql/*/bin' | tr '\n' ' ')"
