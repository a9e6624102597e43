#!/usr/bin/env bash
# Provides what tests, benchmarks and the local stack need on a machine that reaches only the
# package registries. Every step is cached under ~/.cache/arroyo-pi/<step>-<version>/ and keyed by
# version, prints its duration, and is a fast no-op the second time.
#
#   toolchain/run.sh            every step
#   toolchain/run.sh kafka ...  only the named steps (node, kafka, pulumi, docker, sshd, kafka-javascript, flink, flink-connector, double-image, images, kafka-image, flink-image, minio-image, arroyo-image, simpi-image)
#
# kafka-javascript (Confluent's Kafka client for the load producer) is optional: where it cannot be
# built the step says so in one line and succeeds, and the load producer uses kafkajs.
#
# What cannot be provided here: the resource plugins (docker, kafka, minio, command). The Go module
# proxy refuses every version of github.com/pulumi/pulumi-{docker,kafka,minio,command}/provider
# that was tried, and no other source may be downloaded from. See README, "Status".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CACHE="${ARROYO_PI_CACHE:-$HOME/.cache/arroyo-pi}"
mkdir -p "$CACHE"

# Versions are defined once: Kafka as the cluster's image has it, the Pulumi CLI as the SDK.
NODE_VERSION=$(node -p "require('$here/../config/versions.json').node")
KAFKA_VERSION=$(node -p "require('$here/../config/versions.json').kafka")
FLINK_VERSION=$(node -p "require('$here/../config/versions.json').flink")
FLINK_KAFKA_VERSION=$(node -p "require('$here/../config/versions.json').flinkKafkaConnector")
FLINK_KAFKA_SHA256=$(node -p "require('$here/../config/versions.json').flinkKafkaConnectorSha256")
# The jar set is the pom's: keyed by its content too, so a changed set is fetched anew.
FLINK_KEY="$FLINK_VERSION-kafka-$FLINK_KAFKA_VERSION-$(sha256sum "$here/flink/pom.xml" | cut -c1-8)"
PULUMI_VERSION=$(node -p "require('$here/../package.json').dependencies['@pulumi/pulumi']")
# The load client as toolchain/kafka-javascript pins it; native code, so keyed by Node's module ABI too.
CKJS_VERSION=$(node -p "require('$here/kafka-javascript/package.json').dependencies['@confluentinc/kafka-javascript']")
NODE_ABI=$(node -p "process.versions.modules")

log() { printf '[toolchain] %s\n' "$*" >&2; }

# step NAME VERSION FUNCTION: runs FUNCTION into $CACHE/NAME-VERSION unless already complete.
# Safe to run twice at once: one lock per step (the second run waits, then finds it cached), and
# every build goes to a private temporary directory that is renamed into place only once it is
# complete, so an interrupted or failed build never leaves a tool that a later run trusts.
step() {
    local name=$1 version=$2 fn=$3 dir="$CACHE/$1-$2" start end tmp
    start=$(date +%s)
    exec {lock}>"$CACHE/.$name-$version.lock"
    if ! flock -n "$lock"; then
        log "$name $version: another build holds $CACHE/.$name-$version.lock; waiting for it"
        flock "$lock"
    fi
    if [ -f "$dir/.complete" ]; then
        log "$name $version: cached in $dir (0 s)"
        exec {lock}>&-
        return 0
    fi
    # Under the lock, a leftover of a killed build is nobody's: remove it.
    rm -rf "$dir" "$CACHE/.$name-$version.build."*
    tmp=$(mktemp -d "$CACHE/.$name-$version.build.XXXXXX")
    # A failed or interrupted build removes its temporary directory; nothing is left to trust.
    trap 'rm -rf "$tmp"' EXIT
    "$fn" "$tmp"
    touch "$tmp/.complete"
    mv "$tmp" "$dir"
    trap - EXIT
    exec {lock}>&-
    end=$(date +%s)
    log "$name $version: built in $((end - start)) s -> $dir"
}

# Node.js at the project's floor, from the npm registry's per-platform package (the official
# binaries, headers included for native modules), for machines whose own Node.js is older.
build_node() {
    local out=$1 arch
    case "$(uname -m)" in
        x86_64) arch=x64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *) log "node: the npm registry has no Node.js package for $(uname -m); install Node.js $NODE_VERSION yourself"; return 1 ;;
    esac
    (cd "$out" && npm pack --silent "node-linux-$arch@$NODE_VERSION" >/dev/null &&
        tar xzf "node-linux-$arch-$NODE_VERSION.tgz" --strip-components=1 && rm "node-linux-$arch-$NODE_VERSION.tgz")
    log "node: $("$out/bin/node" --version)"
}

# The Apache Kafka broker and ProducerPerformance, as jars from Maven Central.
build_kafka() {
    local out=$1
    mvn -q -B -Dstyle.color=never -f "$here/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
        dependency:copy-dependencies -DoutputDirectory="$out/libs" -DincludeScope=runtime >"$out/mvn.log"
    cp "$here/kafka/log4j2.properties" "$out/log4j2.properties"
}

# Apache Flink's session cluster and Kafka SQL connector, as jars from Maven Central.
build_flink() {
    local out=$1
    mvn -q -B -Dstyle.color=never -f "$here/flink/pom.xml" -Dflink.version="$FLINK_VERSION" -Dflink.kafka.version="$FLINK_KAFKA_VERSION" \
        dependency:copy-dependencies -DoutputDirectory="$out/lib" -DincludeScope=runtime >"$out/mvn.log"
    cp "$here/flink/log4j2.properties" "$out/log4j2.properties"
}

# Flink's Kafka SQL connector alone, for the deployment (the official Flink image lacks it; the
# program uploads it into each Flink container). Checked against the hash config/versions.json pins.
build_flink_connector() {
    local out=$1 jar
    mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="org.apache.flink:flink-sql-connector-kafka:$FLINK_KAFKA_VERSION" -DoutputDirectory="$out" >"$out/mvn.log"
    jar="$out/flink-sql-connector-kafka-$FLINK_KAFKA_VERSION.jar"
    echo "$FLINK_KAFKA_SHA256  $jar" | sha256sum -c --quiet - || { log "flink-connector: $jar does not have the sha256 config/versions.json pins"; return 1; }
}

# The Pulumi CLI, built from the Go module proxy (no binary downloads reach this machine).
build_pulumi() {
    local out=$1
    local src="$out/src"
    mkdir -p "$src" "$out/bin"
    cp "$here/pulumi/tools.go" "$src/tools.go"
    sed "s/PULUMI_VERSION/$PULUMI_VERSION/g" "$here/pulumi/go.mod.in" > "$src/go.mod"
    (cd "$src" &&
        go get "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" &&
        go mod tidy &&
        go build -o "$out/bin/pulumi" \
            -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
            github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    "$out/bin/pulumi" version
}

# Confluent's Kafka client, built from source (no prebuilt binary can be fetched here) against
# Debian's compression, TLS and SASL libraries: with CKJS_LINKING=dynamic its librdkafka build links
# them instead of downloading their sources. Loaded by benchmark/producer/loadClient.ts.
build_kafka_javascript() {
    local out=$1
    local pkgs=(zlib1g-dev libssl-dev libzstd-dev liblz4-dev libsasl2-dev build-essential python3)
    dpkg -s "${pkgs[@]}" >/dev/null 2>&1 || { log "kafka-javascript: installing ${pkgs[*]}"; apt_install "${pkgs[@]}"; }
    log "kafka-javascript: building @confluentinc/kafka-javascript $CKJS_VERSION with librdkafka from source (1-4 minutes on 2 cores, once)"
    cp "$here/kafka-javascript/package.json" "$here/kafka-javascript/package-lock.json" "$out/"
    # Headers for node-gyp from the running Node.js where it carries them (the toolchain's own does),
    # since nodejs.org, where node-gyp would fetch them, is not reachable from every machine.
    local nodedir
    nodedir=$(dirname "$(dirname "$(node -p process.execPath)")")
    [ -f "$nodedir/include/node/node.h" ] && export npm_config_nodedir="$nodedir"
    (cd "$out" && CKJS_LINKING=dynamic npm ci --no-audit --no-fund --loglevel=error >"$out/npm.log" 2>&1) ||
        { tail -20 "$out/npm.log" >&2; return 1; }
    node -e "const k = require('$out/node_modules/@confluentinc/kafka-javascript'); console.error('[toolchain] kafka-javascript: librdkafka ' + k.librdkafkaVersion)"
}

apt_updated=""
# Two runs at once would meet apt's own lock and fail: they take turns on ours.
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    [ -n "$apt_updated" ] || { flock "$CACHE/.apt.lock" apt-get update -qq >/dev/null; apt_updated=1; }
    flock "$CACHE/.apt.lock" apt-get install -y -qq "$@" >/dev/null
}

# OpenSSH's server, for the tests of the SSH bootstrap (they start it themselves, on loopback).
ensure_sshd() {
    local start end
    start=$(date +%s)
    if [ ! -x /usr/sbin/sshd ]; then
        log "sshd: installing Debian's openssh-server"
        apt_install openssh-server
    fi
    end=$(date +%s)
    log "sshd: $(/usr/sbin/sshd -V 2>&1 | head -1 || true) ($((end - start)) s)"
}

# A Docker engine: Debian's docker.io, started when none answers.
ensure_docker() {
    local start end
    start=$(date +%s)
    if ! command -v dockerd >/dev/null 2>&1; then
        log "docker: installing Debian's docker.io"
        apt_install docker.io
    fi
    if ! docker info >/dev/null 2>&1; then
        log "docker: starting dockerd"
        echo "== dockerd started by toolchain/run.sh at $(date -Is)" >>"$CACHE/dockerd.log"
        nohup dockerd >>"$CACHE/dockerd.log" 2>&1 &
        for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    fi
    docker info >/dev/null 2>&1 || { log "docker: dockerd did not start; see $CACHE/dockerd.log"; return 1; }
    end=$(date +%s)
    log "docker: engine $(docker version --format '{{.Server.Version}}') ready ($((end - start)) s)"
}

# The Arroyo REST test double as an image, for the local stack's e2e where no registry serves
# Arroyo (test/doubles/: never shipped as Arroyo). The base is Debian made with debootstrap from
# Debian's archive, with Debian's Node.js; the double is transpiled into it as one layer. The
# image's tag is keyed by the base and by every source the double runs, so a changed double is a
# new image and an unchanged one is not rebuilt. Prints the tag on standard output.
DEBIAN_SUITE=bookworm

# debootstrap_base NAME OUT PACKAGES: Debian's minbase plus PACKAGES (comma-separated) into
# OUT/rootfs, from Debian's archive, its apt caches emptied; debootstrap's log in OUT.
debootstrap_base() {
    local name=$1 out=$2 packages=$3
    command -v debootstrap >/dev/null 2>&1 || { log "$name: installing Debian's debootstrap"; apt_install debootstrap; }
    log "$name: debootstrap $DEBIAN_SUITE (minbase + $packages) from deb.debian.org (1-5 minutes, once)"
    debootstrap --variant=minbase --include="$packages" "$DEBIAN_SUITE" "$out/rootfs" http://deb.debian.org/debian >"$out/debootstrap.log" 2>&1 ||
        { tail -20 "$out/debootstrap.log" >&2; return 1; }
    rm -rf "$out/rootfs/var/cache/apt/archives/"*.deb "$out/rootfs/var/lib/apt/lists/"*
}

build_debian_node() {
    local out=$1
    debootstrap_base debian-node "$out" nodejs || return 1
    chroot "$out/rootfs" node --version >"$out/node-version"
}

double_image() {
    local root="$here/.." base tag tmp kafkajs_version sqljs_version arroyo_version
    ensure_docker
    step debian-node "$DEBIAN_SUITE" build_debian_node
    base="$CACHE/debian-node-$DEBIAN_SUITE"
    kafkajs_version=$(node -p "require('$root/node_modules/kafkajs/package.json').version")
    sqljs_version=$(node -p "require('$root/node_modules/sql.js/package.json').version")
    arroyo_version=$(node -p "require('$root/config/versions.json').arroyo")
    tag="arroyo-pi/arroyo-double:$arroyo_version-$( (cd "$root" && find test/doubles benchmark -name '*.ts' | sort | xargs cat test/fixtures/arroyo-0.15.0-functions.json; echo "$DEBIAN_SUITE kafkajs $kafkajs_version sql.js $sqljs_version") | sha256sum | cut -c1-12)"
    exec {ilock}>"$CACHE/.double-image.lock"
    flock "$ilock"
    if docker image inspect "$tag" >/dev/null 2>&1; then
        log "double-image: $tag is on the engine (0 s)"
    else
        tmp=$(mktemp -d "$CACHE/.double-image.build.XXXXXX")
        trap 'rm -rf "$tmp"' EXIT
        mkdir -p "$tmp/layer/app/node_modules" "$tmp/layer/app/test/fixtures" "$tmp/layer/usr/local/bin"
        (cd "$root" && npx tsc --noCheck --outDir "$tmp/layer/app" --rootDir . --module commonjs --target es2022 --esModuleInterop --resolveJsonModule --skipLibCheck --types node test/doubles/arroyo-stand-in/cli.ts)
        cp "$root/test/fixtures/arroyo-0.15.0-functions.json" "$tmp/layer/app/test/fixtures/"
        cp -r "$root/node_modules/kafkajs" "$tmp/layer/app/node_modules/"
        # The double computes windowed queries with SQLite in WebAssembly: its package file and Node build only.
        mkdir -p "$tmp/layer/app/node_modules/sql.js/dist"
        cp "$root/node_modules/sql.js/package.json" "$tmp/layer/app/node_modules/sql.js/"
        cp "$root/node_modules/sql.js/dist/sql-wasm.js" "$root/node_modules/sql.js/dist/sql-wasm.wasm" "$tmp/layer/app/node_modules/sql.js/dist/"
        # Arroyo's image runs `arroyo <subcommand>`; the deployment's docker check runs `--version`.
        printf '%s\n' '#!/bin/sh' \
            'if [ "$1" = "--version" ]; then echo "arroyo '"$arroyo_version"' (arroyo-pi REST test double, not Arroyo)"; exit 0; fi' \
            'exec node /app/test/doubles/arroyo-stand-in/cli.js "$@"' >"$tmp/layer/usr/local/bin/arroyo"
        chmod 755 "$tmp/layer/usr/local/bin/arroyo"
        tar -C "$base/rootfs" -cf "$tmp/image.tar" .
        tar -C "$tmp/layer" -rf "$tmp/image.tar" ./app ./usr/local/bin/arroyo
        docker import --change 'ENTRYPOINT ["/usr/local/bin/arroyo"]' --change 'WORKDIR /app' "$tmp/image.tar" "$tag" >/dev/null
        rm -rf "$tmp"
        trap - EXIT
        log "double-image: built $tag"
    fi
    exec {ilock}>&-
    echo "$tag"
}

# shellcheck source=toolchain/images/build.sh
. "$here/images/build.sh"

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(kafka pulumi docker sshd kafka-javascript flink)
for s in "${steps[@]}"; do
    case "$s" in
        node) step node "$NODE_VERSION" build_node ;;
        kafka) step kafka "$KAFKA_VERSION" build_kafka ;;
        flink) step flink "$FLINK_KEY" build_flink ;;
        flink-connector) step flink-connector "$FLINK_KAFKA_VERSION" build_flink_connector ;;
        pulumi) step pulumi "$PULUMI_VERSION" build_pulumi ;;
        docker) ensure_docker ;;
        double-image) double_image ;;
        images) all_images ;;
        # One image each, its tag on standard output (none where its binaries are missing).
        kafka-image) ensure_docker; kafka_image ;;
        flink-image) ensure_docker; flink_image ;;
        minio-image) ensure_docker; minio_image ;;
        arroyo-image) ensure_docker; arroyo_image ;;
        simpi-image) simpi_image ;;
        sshd) ensure_sshd ;;
        # Optional: in a subshell, so a failed build removes its temporary directory and ends here.
        kafka-javascript) (step kafka-javascript "$CKJS_VERSION-node$NODE_ABI" build_kafka_javascript) ||
            log "WARNING: Confluent's Kafka client could not be built; the load producer will use kafkajs (slower; results say so)" ;;
        *) log "unknown step '$s' (known: node, kafka, pulumi, docker, sshd, kafka-javascript, flink, flink-connector, double-image, images, kafka-image, flink-image, minio-image, arroyo-image, simpi-image)"; exit 2 ;;
    esac
done
