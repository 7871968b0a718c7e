#!/usr/bin/env bash
# Starts moto's S3 stand-in on 127.0.0.1:PORT with an empty bucket BUCKET, for trying Assay's s3:// cache: installs
# moto into WORK_DIR/venv (from PyPI, about 20 s) unless it is there, prints "pid PID" once the bucket exists. Stop it
# with `kill PID`. Point Assay at it with AWS_ENDPOINT_URL_S3=http://127.0.0.1:PORT and any AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY (moto accepts every signature; the signing is tested against AWS's vectors instead).
#
#     tools/moto_cache.sh WORK_DIR PORT BUCKET
set -euo pipefail
work="$1"; port="$2"; bucket="$3"
mkdir -p "$work"
if [ ! -x "$work/venv/bin/moto_server" ]; then
  python3 -m venv "$work/venv"
  # Not the moto[server] extra: it pulls hundreds of MB the S3 server does not need.
  "$work/venv/bin/pip" install -q moto flask flask-cors > "$work/pip.log" 2>&1 || { tail -5 "$work/pip.log" >&2; exit 1; }
fi
"$work/venv/bin/moto_server" -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  # Creating the bucket is the readiness probe: moto answers 200 once it serves S3.
  if curl -s -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:$port/$bucket" 2> /dev/null | grep -q '^200$'; then
    echo "pid $pid"; exit 0
  fi
  kill -0 "$pid" 2> /dev/null || { tail -5 "$work/moto.log" >&2; exit 1; }
  sleep 0.1
done
kill "$pid"
echo "moto did not answer on 127.0.0.1:$port" >&2
exit 1
