# Images for the local stack on a machine that reaches no container registry: each from a Debian
# base made with debootstrap from Debian's archive, the service's own files added as one layer, and
# `docker import`ed with the official image's entrypoint conventions (see each image's folder for
# the file it follows). A tag carries a hash of everything that goes into the image, so an unchanged
# image is found and not rebuilt. Sourced by toolchain/run.sh (its step, log and apt_install).

FLINK_S3_FROM_MAVEN=2.2.0 # Maven Central serves Flink's S3 filesystem plugins at 2.2.0, not 2.2.1

# A Debian base with a Java 17 runtime and the tools Kafka's and Flink's scripts call.
build_debian_jre() {
    local out=$1
    debootstrap_base debian-jre "$out" openjdk-17-jre-headless,gettext-base,procps,hostname || return 1
    chroot "$out/rootfs" java -version 2>"$out/java-version"
}

# The smallest Debian, for MinIO's static binaries.
build_debian_min() {
    debootstrap_base debian-min "$1" ca-certificates
}

# Flink's distribution as the PyPI wheels carry it: bin/ and conf/ (apache-flink), lib/, opt/ and
# plugins/ (apache-flink-libraries, whose flink-dist records the release's commit), plus what the
# wheels lack from Maven Central into opt/, where the distribution has it: the SQL Gateway's jar
# and the S3 filesystem plugin. Keyed by this file too, so a changed layout is built anew.
build_flink_dist() {
    local out=$1 w="$1/wheels" jar
    mkdir -p "$w" "$out/flink"
    pip download --no-deps -q -d "$w" "apache-flink==$FLINK_VERSION" "apache-flink-libraries==$FLINK_VERSION" >"$out/pip.log" 2>&1 || { tail -5 "$out/pip.log" >&2; return 1; }
    for whl in "$w"/*.whl; do (cd "$out" && python3 -m zipfile -e "$whl" unpacked); done
    for d in bin conf lib opt plugins; do cp -r "$out/unpacked/pyflink/$d" "$out/flink/$d"; done
    rm -rf "$out/unpacked" "$w" "$out/flink/bin/"*.bat
    chmod 755 "$out/flink/bin/"*
    mkdir -p "$out/flink/log"
    # The distribution's opt/ has the SQL Gateway's jar (bin/sql-gateway.sh loads it from there); the wheel's does not.
    mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="org.apache.flink:flink-sql-gateway:$FLINK_VERSION" -DoutputDirectory="$out/flink/opt" >"$out/mvn.log"
    mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="org.apache.flink:flink-s3-fs-presto:$FLINK_S3_FROM_MAVEN" -DoutputDirectory="$out/s3" >>"$out/mvn.log"
    # Named as the official image names it (the deployment's ENABLE_BUILT_IN_PLUGINS says so); the
    # jar is 2.2.0's, which is the newest Maven serves (say so beside it).
    cp "$out/s3/flink-s3-fs-presto-$FLINK_S3_FROM_MAVEN.jar" "$out/flink/opt/flink-s3-fs-presto-$FLINK_VERSION.jar"
    echo "flink-s3-fs-presto-$FLINK_VERSION.jar is flink-s3-fs-presto $FLINK_S3_FROM_MAVEN from Maven Central (no $FLINK_VERSION there)" >"$out/flink/opt/ARROYO-PI-NOTE"
    rm -rf "$out/s3"
    # As the official Dockerfile does: REST and RPC bind every interface of the container.
    "$out/flink/bin/config-parser-utils.sh" "$out/flink/conf" "$out/flink/bin" "$out/flink/lib" \
        -repKV "rest.address,localhost,0.0.0.0" -repKV "rest.bind-address,localhost,0.0.0.0" \
        -repKV "jobmanager.bind-host,localhost,0.0.0.0" -repKV "taskmanager.bind-host,localhost,0.0.0.0" \
        -rmKV "taskmanager.host=localhost" >"$out/config-parser.log" 2>&1 || { tail -5 "$out/config-parser.log" >&2; return 1; }
    jar=$(ls "$out/flink/lib/"flink-dist*.jar)
    unzip -p "$jar" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' | grep -i "implementation-version" >"$out/flink-version" || true
}

# import_image TAG BASE_ROOTFS LAYER_DIR CHANGE...: the base and the layer as one image. The tree
# is the base hard-linked (fast, no copy) with the layer copied over it; --remove-destination
# replaces a linked file rather than writing through the link into the cached base.
import_image() {
    local tag=$1 base=$2 layer=$3 tmp c
    shift 3
    tmp=$(mktemp -d "$CACHE/.image.build.XXXXXX")
    cp -al "$base" "$tmp/root" || { rm -rf "$tmp"; return 1; }
    cp -a --remove-destination "$layer/." "$tmp/root/" || { rm -rf "$tmp"; return 1; }
    local changes=()
    for c in "$@"; do changes+=(--change "$c"); done
    if ! tar -C "$tmp/root" -c . | docker import "${changes[@]}" - "$tag" >/dev/null; then
        rm -rf "$tmp"
        log "import of $tag failed"
        return 1
    fi
    rm -rf "$tmp"
}

# images_hash FILES...: 12 hex of the contents of the given files and directories.
images_hash() {
    (for f in "$@"; do if [ -d "$f" ]; then find "$f" -type f | sort | xargs cat; else cat "$f"; fi; done; echo "$DEBIAN_SUITE") | sha256sum | cut -c1-12
}

kafka_image() {
    local dir="$here/images/kafka" libs="$CACHE/kafka-$KAFKA_VERSION/libs" tag layer
    step kafka "$KAFKA_VERSION" build_kafka
    step debian-jre "$DEBIAN_SUITE" build_debian_jre
    tag="arroyo-pi/kafka:$KAFKA_VERSION-$(images_hash "$dir" "$here/kafka/pom.xml")"
    if ! docker image inspect "$tag" >/dev/null 2>&1; then
        layer=$(mktemp -d "$CACHE/.kafka-image.XXXXXX")
        mkdir -p "$layer/opt/kafka/bin" "$layer/opt/kafka/libs" "$layer/opt/kafka/config" "$layer/etc/kafka/docker" "$layer/mnt/shared/config"
        cp "$libs/"*.jar "$layer/opt/kafka/libs/"
        cp "$dir/kafka-broker-api-versions.sh" "$layer/opt/kafka/bin/"
        cp "$dir/run" "$dir/server.properties" "$dir/log4j2.yaml" "$dir/tools-log4j2.yaml" "$layer/etc/kafka/docker/"
        import_image "$tag" "$CACHE/debian-jre-$DEBIAN_SUITE/rootfs" "$layer" 'ENTRYPOINT ["/etc/kafka/docker/run"]' 'WORKDIR /opt/kafka' 'EXPOSE 9092' || { rm -rf "$layer"; return 1; }
        rm -rf "$layer"
        log "kafka-image: built $tag"
    else
        log "kafka-image: $tag is on the engine (0 s)"
    fi
    echo "$tag"
}

flink_image() {
    local dir="$here/images/flink" dist tag layer
    step debian-jre "$DEBIAN_SUITE" build_debian_jre
    local key
    key="$FLINK_VERSION-s3-$FLINK_S3_FROM_MAVEN-$(sha256sum "$here/images/build.sh" | cut -c1-8)"
    step flink-dist "$key" build_flink_dist
    dist="$CACHE/flink-dist-$key/flink"
    tag="arroyo-pi/flink:$FLINK_VERSION-$(images_hash "$dir" "$here/images/build.sh")"
    if ! docker image inspect "$tag" >/dev/null 2>&1; then
        layer=$(mktemp -d "$CACHE/.flink-image.XXXXXX")
        mkdir -p "$layer/opt"
        cp -r "$dist" "$layer/opt/flink"
        cp "$dir/docker-entrypoint.sh" "$layer/docker-entrypoint.sh"
        import_image "$tag" "$CACHE/debian-jre-$DEBIAN_SUITE/rootfs" "$layer" 'ENV FLINK_HOME=/opt/flink' 'ENV PATH=/opt/flink/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            'WORKDIR /opt/flink' 'ENTRYPOINT ["/docker-entrypoint.sh"]' 'CMD ["help"]' 'EXPOSE 6123 8081' || { rm -rf "$layer"; return 1; }
        rm -rf "$layer"
        log "flink-image: built $tag"
    else
        log "flink-image: $tag is on the engine (0 s)"
    fi
    echo "$tag"
}

# MinIO's server and client are not served by any registry this machine reaches: the image is made
# from binaries named by MINIO_BIN and MC_BIN (default: $CACHE/bin/minio and $CACHE/bin/mc), and
# skipped with one line where there are none.
minio_image() {
    local dir="$here/images/minio" minio="${MINIO_BIN:-$CACHE/bin/minio}" mc="${MC_BIN:-$CACHE/bin/mc}" tag layer
    if [ ! -x "$minio" ] || [ ! -x "$mc" ]; then
        log "minio-image: skipped: no MinIO server and client binaries at $minio and $mc (set MINIO_BIN and MC_BIN; none can be downloaded here)"
        return 0
    fi
    step debian-min "$DEBIAN_SUITE" build_debian_min
    tag="arroyo-pi/minio:$(images_hash "$dir" "$minio" "$mc")"
    if ! docker image inspect "$tag" >/dev/null 2>&1; then
        layer=$(mktemp -d "$CACHE/.minio-image.XXXXXX")
        mkdir -p "$layer/usr/bin"
        cp "$minio" "$layer/usr/bin/minio"
        cp "$mc" "$layer/usr/bin/mc"
        cp "$dir/docker-entrypoint.sh" "$layer/usr/bin/docker-entrypoint.sh"
        import_image "$tag" "$CACHE/debian-min-$DEBIAN_SUITE/rootfs" "$layer" 'ENTRYPOINT ["/usr/bin/docker-entrypoint.sh"]' 'CMD ["minio"]' 'EXPOSE 9000' || { rm -rf "$layer"; return 1; }
        rm -rf "$layer"
        log "minio-image: built $tag ($("$minio" --version | head -1))"
    else
        log "minio-image: $tag is on the engine (0 s)"
    fi
    echo "$tag"
}

# Debian as Arroyo's docker/Dockerfile (v0.15.0) installs it (ca-certificates, libsasl2-2, curl),
# plus procps: `arroyo node` stops a pipeline's workers by running `kill -s TERM|KILL <pid>`
# (crates/arroyo-node/src/lib.rs, signal_process); without it every stop fails ("tried to kill and
# couldn't") until the controller marks the job Failed.
ARROYO_BASE_PACKAGES=ca-certificates,libsasl2-2,curl,procps
ARROYO_BASE_KEY="$DEBIAN_SUITE-$(echo "$ARROYO_BASE_PACKAGES" | sha256sum | cut -c1-8)"
build_debian_arroyo() {
    debootstrap_base debian-arroyo "$1" "$ARROYO_BASE_PACKAGES"
}

# Arroyo's image for the local stack where no registry serves ghcr.io/arroyosystems/arroyo: the
# real binary (ARROYO_BIN, default $CACHE/bin/arroyo, built from ArroyoSystems/arroyo at the
# version config/versions.json names; never the test double) on the Debian above, laid out as
# Arroyo's docker/Dockerfile lays out its image: /app/arroyo as the entrypoint, `cluster` by
# default, the API on 5115. Its UDF toolchain (rustc, clang, Python) is not included: the
# benchmark's queries are SQL only. Refuses a binary of another version.
arroyo_image() {
    local arroyo="${ARROYO_BIN:-$CACHE/bin/arroyo}" want tag layer have
    want=$(node -p "require('$here/../config/versions.json').arroyo")
    if [ ! -x "$arroyo" ]; then
        log "arroyo-image: no Arroyo binary at $arroyo (set ARROYO_BIN; docs/setup.md says how to build Arroyo $want, about 2.5 hours on 2 cores)"
        return 0
    fi
    have=$("$arroyo" --version 2>&1 | head -1)
    if [ "$have" != "arroyo $want" ]; then
        log "arroyo-image: $arroyo says '$have', not 'arroyo $want' (config/versions.json): build Arroyo $want or point ARROYO_BIN at it"
        return 1
    fi
    step debian-arroyo "$ARROYO_BASE_KEY" build_debian_arroyo
    tag="arroyo-pi/arroyo:$want-$( (sha256sum <"$arroyo"; echo "$ARROYO_BASE_KEY") | sha256sum | cut -c1-12)"
    if ! docker image inspect "$tag" >/dev/null 2>&1; then
        layer=$(mktemp -d "$CACHE/.arroyo-image.XXXXXX")
        mkdir -p "$layer/app" "$layer/config"
        cp "$arroyo" "$layer/app/arroyo"
        import_image "$tag" "$CACHE/debian-arroyo-$ARROYO_BASE_KEY/rootfs" "$layer" 'WORKDIR /app' 'ENV ARROYO__API__RUN_HTTP_PORT=5115' \
            'ENTRYPOINT ["/app/arroyo"]' 'CMD ["cluster"]' 'EXPOSE 5115' || { rm -rf "$layer"; return 1; }
        rm -rf "$layer"
        log "arroyo-image: built $tag ($have)"
    else
        log "arroyo-image: $tag is on the engine (0 s)"
    fi
    echo "$tag"
}

# Every image the local stack's e2e runs, as the images config key takes them (E2E_IMAGES), also
# written to $CACHE/e2e-images.json where the e2e reads it. Kafka and Flink always; MinIO where
# its binaries exist; Arroyo's image from the real binary where there is one (arroyo_image), and
# only where there is none its test double, said in one line.
all_images() {
    local kafka flink minio arroyo json
    ensure_docker
    # Each in a command substitution, where errexit does not reach: every one is checked.
    arroyo=$(arroyo_image) || { log "images: the Arroyo image failed"; return 1; }
    if [ -z "$arroyo" ]; then
        arroyo=$(double_image) && [ -n "$arroyo" ] || { log "images: the Arroyo test double's image failed"; return 1; }
        log "images: no Arroyo binary, so the local stack's e2e runs Arroyo's test double ($arroyo)"
    fi
    kafka=$(kafka_image) && [ -n "$kafka" ] || { log "images: the Kafka image failed"; return 1; }
    flink=$(flink_image) && [ -n "$flink" ] || { log "images: the Flink image failed"; return 1; }
    minio=$(minio_image) || { log "images: the MinIO image failed"; return 1; }
    json="{\"arroyo\":\"$arroyo\",\"kafka\":\"$kafka\",\"flink\":\"$flink\"${minio:+,\"minio\":\"$minio\"}}"
    echo "$json" >"$CACHE/e2e-images.json"
    echo "$json"
}

# A simulated Raspberry Pi (the ssh target's e2e): Debian with OpenSSH's server, Debian's Docker
# engine, sudo, and the Pi's user `picocluster` (passwordless sudo, as the README asks of a Pi; its
# login password is set by the test that starts the Pi). No host keys in the image: each Pi makes
# its own at its first start.
build_debian_simpi() {
    local out=$1 r="$1/rootfs"
    debootstrap_base debian-simpi "$out" openssh-server,docker.io,sudo,iptables,procps,iproute2,ca-certificates,kmod || return 1
    chroot "$r" useradd -m -s /bin/bash -G docker picocluster
    echo 'picocluster ALL=(ALL) NOPASSWD: ALL' >"$r/etc/sudoers.d/picocluster"
    chmod 440 "$r/etc/sudoers.d/picocluster"
    printf 'PasswordAuthentication yes\nUseDNS no\n' >"$r/etc/ssh/sshd_config.d/simpi.conf"
    rm -f "$r/etc/ssh/ssh_host_"*
}

simpi_image() {
    local dir="$here/images/simpi" tag layer
    ensure_docker
    step debian-simpi "$DEBIAN_SUITE" build_debian_simpi
    tag="arroyo-pi/simpi:$(images_hash "$dir")"
    if ! docker image inspect "$tag" >/dev/null 2>&1; then
        layer=$(mktemp -d "$CACHE/.simpi-image.XXXXXX")
        mkdir -p "$layer/usr/local/bin"
        cp "$dir/entrypoint.sh" "$layer/usr/local/bin/simpi-entrypoint"
        import_image "$tag" "$CACHE/debian-simpi-$DEBIAN_SUITE/rootfs" "$layer" 'ENTRYPOINT ["/usr/local/bin/simpi-entrypoint"]' 'EXPOSE 22' || { rm -rf "$layer"; return 1; }
        rm -rf "$layer"
        log "simpi-image: built $tag"
    else
        log "simpi-image: $tag is on the engine (0 s)"
    fi
    echo "$tag" >"$CACHE/simpi-image"
    echo "$tag"
}
