#!/usr/bin/env bash
# Gives the Docker integration tests an engine and the images they use, with no registry:
# installs docker.io and busybox-static when missing, starts dockerd when nothing answers, and
# imports busybox:local (also tagged busybox:latest, the seed pod's `image: busybox`) from the
# host's static busybox. Idempotent; needs root. Engine log: /var/log/gateway-dockerd.log.
set -euo pipefail

if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null || [ ! -x /bin/busybox ]; then
  # Waits for another apt (e.g. a parallel install) instead of failing on its lock.
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq docker.io busybox-static >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  # No bridge and no iptables: containers use host networking, which is all the gateway asks for.
  # --live-restore: containers outlive an engine restart, as the gateway expects of a production engine.
  nohup dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs --live-restore \
    >/var/log/gateway-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "tests/docker/setup.sh: dockerd did not answer; see /var/log/gateway-dockerd.log" >&2; exit 1; }
fi

if ! docker image inspect busybox:local >/dev/null 2>&1; then
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  tar -C "$root" -c . | docker import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' - busybox:local >/dev/null
  rm -rf "$root"
fi
docker image inspect busybox:latest >/dev/null 2>&1 || docker tag busybox:local busybox:latest
echo "tests/docker/setup.sh: engine $(docker version --format '{{.Server.Version}}') ready with busybox:local and busybox:latest"
