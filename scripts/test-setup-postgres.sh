#!/usr/bin/env bash
# Makes a PostgreSQL server available for the shared-ledger tests (run as root, as .ci/run does):
# installs Debian's postgresql where missing, starts its cluster, and creates the role paydesk_test
# that may create databases (each test run makes its own throwaway database).
# Prints the URL to export as PAYDESK_TEST_PG_URL on its last line.
set -euo pipefail
role=paydesk_test
password=paydesk_test

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >/dev/null
fi

cluster=$(pg_lsclusters --no-header | head -n 1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  pg_createcluster "$version" main >&2
  cluster=$(pg_lsclusters --no-header | head -n 1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then pg_ctlcluster "$version" "$name" start >&2; fi
for _ in $(seq 1 50); do
  if runuser -u postgres -- pg_isready -q -p "$port"; then break; fi
  sleep 0.2
done

runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$role') THEN
    CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password';
  ELSE
    ALTER ROLE $role LOGIN CREATEDB PASSWORD '$password';
  END IF;
END \$\$;
SQL
echo "postgres://$role:$password@127.0.0.1:$port/postgres"
