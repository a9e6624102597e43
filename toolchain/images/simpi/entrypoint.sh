#!/bin/sh
# A simulated Raspberry Pi for the project's own tests: one container with its own sshd and its own
# Docker engine, as a Pi has. Not privileged: it runs with the capabilities the e2e grants
# (test/e2e/simPis.ts); /sys and every cgroup mount come read-only and are remounted read-write so
# that its dockerd can make cgroups for its containers. With cgroup v2 this process moves into a
# child group first and the controllers are delegated, as Docker's own docker-in-docker entrypoint
# does (moby/moby hack/dind): a cgroup with processes cannot hand controllers to children.
set -eu
mount -o remount,rw /sys 2>/dev/null || true
# Every cgroup mount: with cgroup v1 each controller (cpuset, memory, ...) is a mount of its own,
# and a plain remount of one is refused ("mount point is busy"): its per-mount flag is changed
# with a bind remount instead.
for m in $(awk '$3 == "tmpfs" && $2 == "/sys/fs/cgroup" || $3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/mounts); do
    mount -o remount,rw "$m" 2>/dev/null || mount -o remount,bind,rw "$m" 2>/dev/null || true
done
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    mkdir -p /sys/fs/cgroup/init
    xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
    sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
fi
# The bootstrap's first login: the Pi user's password, given by the test that starts this Pi.
if [ -n "${SIMPI_PASSWORD:-}" ]; then echo "picocluster:$SIMPI_PASSWORD" | chpasswd; fi
# Each Pi its own host keys, made at its first start and kept in its container.
ssh-keygen -A >/dev/null
mkdir -p /run/sshd
# A restarted Pi keeps its /run (a container's, unlike a rebooted Pi's tmpfs): the last dockerd's
# and containerd's pid files would stop the new ones from starting.
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid /run/sshd.pid
dockerd >>/var/log/dockerd.log 2>&1 &
exec /usr/sbin/sshd -D -e
