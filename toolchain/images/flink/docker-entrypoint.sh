#!/usr/bin/env bash
# The entrypoint of the Flink image toolchain/run.sh builds, following the official image's
# (apache/flink-docker, 2.2/scala_2.12-java17-ubuntu/docker-entrypoint.sh) in what the deployment
# uses: ENABLE_BUILT_IN_PLUGINS links each named jar of opt/ into plugins/<name>/ or exits 1;
# jobmanager.rpc.address defaults to the container's hostname; FLINK_PROPERTIES is read one line at
# a time, each trimmed and split at its first ':', the value passed through envsubst, and every
# pair written into conf/config.yaml by Flink's own bin/config-parser-utils.sh; `jobmanager` and
# `taskmanager` run those scripts with start-foreground, anything else runs as given (the SQL
# Gateway's `bin/sql-gateway.sh start-foreground`). Unlike the official image it runs as root and
# preloads no jemalloc.
set -euo pipefail
FLINK_HOME=${FLINK_HOME:-/opt/flink}
JOB_MANAGER_RPC_ADDRESS=${JOB_MANAGER_RPC_ADDRESS:-$(hostname -f)}

set_config_options() {
    local params=()
    while [ $# -gt 0 ]; do
        params+=("-D$1=$2")
        shift 2
    done
    [ ${#params[@]} -eq 0 ] || "$FLINK_HOME/bin/config-parser-utils.sh" "$FLINK_HOME/conf" "$FLINK_HOME/bin" "$FLINK_HOME/lib" "${params[@]}"
}

enable_plugins() {
    local jar name
    for jar in $(echo "${ENABLE_BUILT_IN_PLUGINS:-}" | tr ';' ' '); do
        name=${jar%.jar}
        if [ ! -e "$FLINK_HOME/opt/$jar" ]; then
            echo "Plugin $jar does not exist. Exiting."
            exit 1
        fi
        mkdir -p "$FLINK_HOME/plugins/$name"
        ln -fs "$FLINK_HOME/opt/$jar" "$FLINK_HOME/plugins/$name"
        echo "Successfully enabled $jar"
    done
}

configure() {
    set_config_options jobmanager.rpc.address "$JOB_MANAGER_RPC_ADDRESS" blob.server.port 6124 query.server.port 6125
    [ -z "${TASK_MANAGER_NUMBER_OF_TASK_SLOTS:-}" ] || set_config_options taskmanager.numberOfTaskSlots "$TASK_MANAGER_NUMBER_OF_TASK_SLOTS"
    [ -n "${FLINK_PROPERTIES:-}" ] || return 0
    local pairs=() line key value
    while IFS= read -r line; do
        line=$(echo "$line" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//')
        [ -n "$line" ] || continue
        IFS=':' read -r key value <<<"$line"
        # shellcheck disable=SC2086 # word splitting trims the value, as the official script's echo does
        value=$(echo $value | envsubst)
        pairs+=("$key" "$value")
    done <<<"$FLINK_PROPERTIES"
    set_config_options "${pairs[@]}"
}

enable_plugins
configure
case "${1:-help}" in
    jobmanager) shift; exec "$FLINK_HOME/bin/jobmanager.sh" start-foreground "$@" ;;
    taskmanager) shift; exec "$FLINK_HOME/bin/taskmanager.sh" start-foreground "$@" ;;
    help) echo "Usage: $(basename "$0") (jobmanager|taskmanager|<command>)"; exit 0 ;;
    *) exec "$@" ;;
esac
