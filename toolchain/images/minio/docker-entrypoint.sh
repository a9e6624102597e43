#!/bin/sh
# The entrypoint of the MinIO image toolchain/run.sh builds, as the official image's
# (minio/minio, dockerscripts/docker-entrypoint.sh): arguments that do not start with `minio` are
# minio's, so `server /data ...` runs `minio server /data ...`.
set -e
if [ "${1:-}" != "minio" ] && [ -n "${1:-}" ]; then
    set -- minio "$@"
fi
exec "$@"
