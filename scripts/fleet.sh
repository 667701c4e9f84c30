#!/usr/bin/env bash
# A fleet of real sshd servers in docker containers, for tsinfra's integration tests.
#
#   scripts/fleet.sh up N [--name NAME]     start N hosts (fleet-1..fleet-N), write an inventory
#   scripts/fleet.sh down [--name NAME]     remove the fleet's containers and its state folder
#   scripts/fleet.sh down --all             remove the containers of every tsinfra fleet
#   scripts/fleet.sh recreate I [--name NAME]   replace host I by a new container on the same
#                                           port (new host keys: a "changed host key")
#   scripts/fleet.sh image                  only build the image
#
# The image is built once without any registry pull (debootstrap from Debian's mirror, then
# `docker import`) and cached under the tag tsinfra-fleet:bookworm. Containers are named
# tsinfra-fleet-NAME-I, labelled tsinfra-fleet=NAME, and publish sshd on 127.0.0.1 only, on
# ports docker picks. State (key pair, passwords, inventory, known_hosts) lives in
# .tsinfra/fleet/NAME/ of the repository, or in $TSINFRA_FLEET_DIR.
#   $TSINFRA_FLEET_DOCKER_ARGS adds `docker run` arguments for every host (the @dockerssh
# test mounts the docker socket and client with it).
#
# Users on every host: root, `deploy` (sudo NOPASSWD) and `deploypw` (sudo asks for the
# password in the state folder's deploypw.password), all authorised for the fleet's key.
set -euo pipefail

IMAGE="tsinfra-fleet:bookworm"
LABEL="tsinfra-fleet"
MIRROR="${TSINFRA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf 'fleet: %s\n' "$*" >&2; }
die() {
  printf 'fleet: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# --- prerequisites -------------------------------------------------------------------

need_packages() {
  local missing=()
  if ! command -v docker > /dev/null ||
    { ! command -v dockerd > /dev/null && ! docker info > /dev/null 2>&1; }; then
    missing+=(docker.io)
  fi
  command -v ssh-keygen > /dev/null || missing+=(openssh-client)
  if [ "${1:-}" = build ]; then
    command -v debootstrap > /dev/null || missing+=(debootstrap)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: install them (apt-get install -y ${missing[*]})"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" > /tmp/tsinfra-fleet-apt.log 2>&1 ||
    { apt-get update > /dev/null 2>&1 &&
      apt-get install -y --no-install-recommends "${missing[@]}" > /tmp/tsinfra-fleet-apt.log 2>&1; } ||
    die "apt-get install ${missing[*]} failed: see /tmp/tsinfra-fleet-apt.log"
}

ensure_daemon() {
  docker info > /dev/null 2>&1 && return 0
  [ "$(id -u)" -eq 0 ] || die "the docker daemon is not running and we are not root to start it"
  command -v dockerd > /dev/null || die "dockerd is missing (apt-get install -y docker.io)"
  log "starting dockerd (log: /tmp/dockerd.log)"
  setsid dockerd > /tmp/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info > /dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "dockerd did not start within 30s: see /tmp/dockerd.log"
}

# --- the image -----------------------------------------------------------------------

# Runs as the container's command: fresh host keys, the fleet's key for every user,
# deploypw's password, then sshd in the foreground.
INIT_SCRIPT='#!/bin/sh
set -eu
ssh-keygen -A > /dev/null
for user in root deploy deploypw; do
  home=$(getent passwd "$user" | cut -d: -f6)
  mkdir -p "$home/.ssh"
  printf "%s\n" "$FLEET_PUBLIC_KEY" > "$home/.ssh/authorized_keys"
  chmod 700 "$home/.ssh"
  chmod 600 "$home/.ssh/authorized_keys"
  chown -R "$user:" "$home/.ssh"
done
printf "deploypw:%s\n" "$FLEET_DEPLOYPW_PASSWORD" | chpasswd
unset FLEET_PUBLIC_KEY FLEET_DEPLOYPW_PASSWORD
mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e
'

build_image() {
  if docker image inspect "$IMAGE" > /dev/null 2>&1; then
    return 0
  fi
  # Test files run in parallel: one builds, the others wait for it.
  exec 9> /tmp/tsinfra-fleet-image.lock
  flock 9
  if docker image inspect "$IMAGE" > /dev/null 2>&1; then
    flock -u 9
    return 0
  fi
  need_packages build
  local started root
  started=$(date +%s)
  root=$(mktemp -d /var/tmp/tsinfra-fleet-rootfs.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$root'" EXIT
  log "building $IMAGE with debootstrap (a few minutes, once)"
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" > /tmp/tsinfra-fleet-debootstrap.log 2>&1 ||
    die "debootstrap failed: see /tmp/tsinfra-fleet-debootstrap.log"
  # No service may start inside the chroot while packages install.
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c '
    apt-get update &&
    apt-get install -y --no-install-recommends openssh-server python3 sudo &&
    apt-get clean &&
    rm -rf /var/lib/apt/lists/* /etc/ssh/ssh_host_* /usr/sbin/policy-rc.d &&
    useradd --create-home --shell /bin/bash deploy &&
    useradd --create-home --shell /bin/bash deploypw &&
    echo "deploy ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/deploy &&
    echo "deploypw ALL=(ALL) ALL" > /etc/sudoers.d/deploypw &&
    chmod 440 /etc/sudoers.d/deploy /etc/sudoers.d/deploypw &&
    printf "%s\n" "PasswordAuthentication yes" "UseDNS no" "MaxStartups 200" \
      > /etc/ssh/sshd_config.d/tsinfra.conf
  ' > /tmp/tsinfra-fleet-chroot.log 2>&1 || die "installing packages in the image failed: see /tmp/tsinfra-fleet-chroot.log"
  printf '%s' "$INIT_SCRIPT" > "$root/usr/local/sbin/tsinfra-fleet-init"
  chmod 755 "$root/usr/local/sbin/tsinfra-fleet-init"
  tar -C "$root" -c . | docker import \
    --change 'CMD ["/usr/local/sbin/tsinfra-fleet-init"]' \
    --change 'EXPOSE 22' \
    - "$IMAGE" > /dev/null
  rm -rf "$root"
  trap - EXIT
  flock -u 9
  log "built $IMAGE in $(($(date +%s) - started))s"
}

# --- the fleet -----------------------------------------------------------------------

state_dir() {
  if [ -n "${TSINFRA_FLEET_DIR:-}" ]; then
    printf '%s\n' "$TSINFRA_FLEET_DIR"
  else
    printf '%s\n' "$REPO/.tsinfra/fleet/$NAME"
  fi
}

container_name() { printf 'tsinfra-fleet-%s-%s\n' "$NAME" "$1"; }

# Starts host I; publishes on 127.0.0.1:PORT, or a port docker picks when PORT is empty.
start_host() {
  local index=$1 port=${2:-} state
  state=$(state_dir)
  docker run -d \
    --name "$(container_name "$index")" \
    --hostname "fleet-$index" \
    --label "$LABEL=$NAME" \
    --publish "127.0.0.1:${port}:22" \
    --env "FLEET_PUBLIC_KEY=$(cat "$state/id_ed25519.pub")" \
    --env "FLEET_DEPLOYPW_PASSWORD=$(cat "$state/deploypw.password")" \
    ${TSINFRA_FLEET_DOCKER_ARGS:-} \
    "$IMAGE" > /dev/null
}

host_port() {
  docker port "$(container_name "$1")" 22/tcp | sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' | head -n 1
}

host_address() {
  docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(container_name "$1")"
}

# Waits until sshd answers with its banner on 127.0.0.1:PORT.
wait_ssh() {
  local port=$1
  for _ in $(seq 1 100); do
    if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -c 4 <&3" 2> /dev/null |
      grep -q '^SSH-'; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

write_inventory() {
  local count=$1 state index port address
  state=$(state_dir)
  local password
  password=$(cat "$state/deploypw.password")
  {
    echo "// Written by scripts/fleet.sh up: the tsinfra test fleet \"$NAME\"."
    echo "// Users: root, deploy (sudo NOPASSWD), deploypw (sudo with SUDO_PASSWORD)."
    echo "const key = $(json_string "$state/id_ed25519");"
    echo "const knownHosts = $(json_string "$state/known_hosts");"
    echo "export const SUDO_PASSWORD = $(json_string "$password");"
    echo "export const fleet = ["
    for index in $(seq 1 "$count"); do
      port=$(host_port "$index")
      echo "  [\"fleet-$index\", { sshHostname: \"127.0.0.1\", sshPort: $port, sshUser: \"root\", sshKey: key, sshKnownHostsFile: knownHosts }],"
    done
    echo "];"
  } > "$state/inventory.ts"
  {
    printf '{\n  "name": %s,\n  "key": %s,\n  "knownHosts": %s,\n  "deploypwPassword": %s,\n  "hosts": [\n' \
      "$(json_string "$NAME")" "$(json_string "$state/id_ed25519")" \
      "$(json_string "$state/known_hosts")" "$(json_string "$password")"
    for index in $(seq 1 "$count"); do
      port=$(host_port "$index")
      address=$(host_address "$index")
      printf '    { "name": "fleet-%s", "container": %s, "port": %s, "address": %s }%s\n' \
        "$index" "$(json_string "$(container_name "$index")")" "$port" \
        "$(json_string "$address")" "$([ "$index" -lt "$count" ] && echo ,)"
    done
    printf '  ]\n}\n'
  } > "$state/fleet.json"
  chmod 600 "$state/inventory.ts" "$state/fleet.json"
}

json_string() {
  local text=$1
  text=${text//\\/\\\\}
  text=${text//\"/\\\"}
  printf '"%s"' "$text"
}

cmd_up() {
  local count=$1
  [[ "$count" =~ ^[1-9][0-9]*$ ]] || die "up needs a number of hosts, e.g. up 3"
  need_packages
  ensure_daemon
  build_image
  local started state
  started=$(date +%s%N)
  cmd_down quiet
  state=$(state_dir)
  mkdir -p "$state"
  chmod 700 "$state"
  ssh-keygen -q -t ed25519 -N '' -C "tsinfra-fleet-$NAME" -f "$state/id_ed25519"
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$state/deploypw.password"
  chmod 600 "$state/deploypw.password"
  : > "$state/known_hosts"
  local index
  for index in $(seq 1 "$count"); do start_host "$index"; done
  for index in $(seq 1 "$count"); do
    wait_ssh "$(host_port "$index")" ||
      die "sshd of $(container_name "$index") did not answer: docker logs $(container_name "$index")"
  done
  write_inventory "$count"
  log "$count host(s) up in $((($(date +%s%N) - started) / 1000000)) ms"
  echo "$state/inventory.ts"
}

cmd_recreate() {
  local index=$1 port state
  [[ "$index" =~ ^[1-9][0-9]*$ ]] || die "recreate needs a host number, e.g. recreate 2"
  port=$(host_port "$index")
  [ -n "$port" ] || die "$(container_name "$index") is not running"
  docker rm -f "$(container_name "$index")" > /dev/null
  start_host "$index" "$port"
  wait_ssh "$port" || die "sshd of $(container_name "$index") did not answer"
  state=$(state_dir)
  # The old host key is gone: forget it in the fleet's own known_hosts.
  ssh-keygen -R "[127.0.0.1]:$port" -f "$state/known_hosts" > /dev/null 2>&1 || true
  rm -f "$state/known_hosts.old"
  local count
  count=$(docker ps -q --filter "label=$LABEL=$NAME" | wc -l)
  write_inventory "$count"
  log "$(container_name "$index") recreated on 127.0.0.1:$port"
}

remove_state() {
  local state=$1
  [ -d "$state" ] || return 0
  rm -f "$state/id_ed25519" "$state/id_ed25519.pub" "$state/deploypw.password" \
    "$state/known_hosts" "$state/known_hosts.old" "$state/inventory.ts" "$state/fleet.json"
  rmdir "$state" 2> /dev/null || true
}

# down: this fleet's containers and state; down all: every fleet's containers, and the
# state folders under .tsinfra/fleet/.
cmd_down() {
  local mode=${1:-} filter="label=$LABEL=$NAME"
  [ "$mode" = all ] && filter="label=$LABEL"
  if command -v docker > /dev/null; then
    local ids="" attempt
    for attempt in 1 2 3 4 5; do
      ids=$(docker ps -aq --filter "$filter" 2>&1) && break
      [ "$attempt" -eq 5 ] && die "could not list the fleet's containers: $ids"
      sleep 1
    done
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086
      docker rm -f $ids > /dev/null
      [ "$mode" = quiet ] || log "removed $(echo "$ids" | wc -w) container(s)"
    fi
  fi
  if [ "$mode" = all ]; then
    local state
    for state in "$REPO"/.tsinfra/fleet/*/; do
      [ -d "$state" ] && remove_state "${state%/}"
    done
    log "every tsinfra fleet is down"
    return 0
  fi
  remove_state "$(state_dir)"
  [ "$mode" = quiet ] || log "fleet $NAME is down"
}

main() {
  local verb=${1:-}
  [ -n "$verb" ] || usage
  shift
  local args=() all=""
  NAME=default
  while [ $# -gt 0 ]; do
    case $1 in
      --name)
        NAME=${2:-}
        shift 2 || usage
        ;;
      --name=*)
        NAME=${1#--name=}
        shift
        ;;
      --all)
        all=all
        shift
        ;;
      *)
        args+=("$1")
        shift
        ;;
    esac
  done
  [[ "$NAME" =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "fleet names are lower-case letters, digits, - and _"
  case $verb in
    up) cmd_up "${args[0]:-}" ;;
    down) cmd_down "$all" ;;
    recreate) cmd_recreate "${args[0]:-}" ;;
    image)
      need_packages build
      ensure_daemon
      build_image
      ;;
    *) usage ;;
  esac
}

main "$@"
