#!/usr/bin/env bash
# The local stack in one command: npm run up | npm run preview | npm run down
# Uses the Pulumi CLI and this machine's Docker engine. Keeps its state in ~/.pulumi-arroyo-pi
# (a local file backend) unless PULUMI_BACKEND_URL says otherwise, and a passphrase for the
# stack's secrets from PULUMI_CONFIG_PASSPHRASE (default: empty; the local stack has no secrets
# of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-up}
stack=${STACK:-local}

command -v pulumi >/dev/null 2>&1 || {
    echo "error: no 'pulumi' on PATH. Install the Pulumi CLI (https://www.pulumi.com/docs/install/) or build it with 'npm run toolchain'." >&2
    exit 2
}
docker info >/dev/null 2>&1 || {
    echo "error: no Docker engine answers. Start dockerd (or run 'npm run toolchain -- docker' as root on Debian)." >&2
    exit 2
}
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$HOME/.pulumi-arroyo-pi}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
export PULUMI_SKIP_UPDATE_CHECK=1
mkdir -p "${PULUMI_BACKEND_URL#file://}"

pulumi stack select --create "$stack" --non-interactive >/dev/null
case "$action" in
    up)
        pulumi up --yes --non-interactive --stack "$stack"
        echo
        echo "Endpoints (pulumi stack output --stack $stack):"
        pulumi stack output --stack "$stack"
        ;;
    preview) pulumi preview --non-interactive --stack "$stack" ;;
    down) pulumi destroy --yes --non-interactive --stack "$stack" ;;
    *) echo "usage: $0 up|preview|down" >&2; exit 2 ;;
esac
