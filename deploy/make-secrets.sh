#!/usr/bin/env bash
# Random secrets for deploy/compose.yaml, one file each in deploy/secrets/ (mode 0600, owned by the
# containers' user 10001 when run as root; otherwise make them readable to uid 10001 yourself).
# Existing files are kept: run it again after deleting one to rotate it.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p secrets
chmod 700 secrets
random() { python3 -c 'import secrets; print(secrets.token_urlsafe(int(__import__("sys").argv[1])))' "$1"; }
write() {  # write NAME VALUE: only when the file does not exist yet
  [ -e "secrets/$1" ] && return 0
  (umask 077 && printf '%s\n' "$2" > "secrets/$1")
  echo "wrote deploy/secrets/$1"
}
write postgres_password "$(random 24)"
write authenticator_password "$(random 24)"
write transformer_password "$(random 24)"
write jwt_secret "$(random 48)"
write database_url "postgresql://bi_dash_admin:$(cat secrets/postgres_password)@postgres:5432/bi_dash"
write postgrest_db_uri "postgresql://authenticator:$(cat secrets/authenticator_password)@postgres:5432/bi_dash"
if [ "$(id -u)" = 0 ]; then
  chown -R 10001:10001 secrets
fi
