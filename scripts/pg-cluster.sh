# Sourced by scripts/test and scripts/bench: a throwaway PostgreSQL cluster on a loopback port.
#
#   pg_find_bin            sets pg_bin to the directory holding initdb and pg_ctl (empty if none)
#   pg_start PREFIX OPTS   initialises and starts a cluster in a new /tmp/PREFIX.XXXXXX with the
#                          server options OPTS; sets pg_dir, pg_port, pg_user and as_pg
#   pg_stop                stops it at once and removes its directory
#
# PostgreSQL refuses to run as root: as root the cluster runs as postgres (or nobody).

pg_find_bin() {
  pg_bin=""
  local dir
  for dir in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then pg_bin="$dir"; return; fi
  done
}

pg_start() {
  as_pg=()
  pg_user=""
  pg_dir=$(mktemp -d "/tmp/$1.XXXXXX")
  if [[ $(id -u) -eq 0 ]]; then
    pg_user=postgres
    id "$pg_user" >/dev/null 2>&1 || pg_user=nobody
    chown "$pg_user" "$pg_dir"
    as_pg=(runuser -u "$pg_user" --)
  fi
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U kexie --auth=trust -E UTF8 --no-locale >/dev/null
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 $2" >/dev/null
}

pg_stop() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
