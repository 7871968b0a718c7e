#!/usr/bin/env bash
# Starts nginx on 127.0.0.1:PORT as an HTTP cache for Assay (GET, and WebDAV PUT, under <work>/root), in the
# foreground-free way a test needs: prints "pid PID" once it answers. Stop it with `kill PID`.
#
#     tools/nginx_cache.sh WORK_DIR PORT
set -euo pipefail
work="$1"; port="$2"
mkdir -p "$work/root" "$work/tmp" "$work/logs"
# nginx's workers run as another user when it is started as root: they must reach and write these folders.
chmod 755 "$work"
chmod 777 "$work/root" "$work/tmp"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/tmp;
  client_max_body_size 1g;
  server {
    listen 127.0.0.1:$port;
    root $work/root;
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw;
    }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" -e "$work/logs/error.log"
for _ in $(seq 1 50); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "pid $(cat "$work/nginx.pid")"; exit 0; fi
  sleep 0.1
done
echo "nginx did not answer on 127.0.0.1:$port" >&2
exit 1
