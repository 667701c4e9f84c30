#!/bin/sh
# The benchmark workload as one shell script, the plain-ssh floor: run on each host with
# `ssh HOST sh -s ROOT NAME < floor.sh`; prints the number of changes it made.
root=$1; name=$2; changes=0
change() { changes=$((changes + 1)); }
for d in conf:755 data:750; do
  dir=$root/${d%%:*}; mode=${d#*:}
  [ -d "$dir" ] || { mkdir -p "$dir"; change; }
  [ "$(stat -c %a "$dir")" = "$mode" ] || { chmod "$mode" "$dir"; change; }
done
payload=$(cat <<'PAYLOAD'
@PAYLOAD@
PAYLOAD
)
if [ "$(cat "$root/data/payload.txt" 2>/dev/null)" != "$payload" ]; then
  printf '%s' "$payload" > "$root/data/payload.txt.tmp" && mv "$root/data/payload.txt.tmp" "$root/data/payload.txt"; change
fi
[ "$(stat -c %a "$root/data/payload.txt")" = 644 ] || { chmod 644 "$root/data/payload.txt"; change; }
for n in 1 2 3 4 5; do
  f=$root/data/file-$n
  [ -f "$f" ] || { touch "$f"; change; }
  [ "$(stat -c %a "$f")" = 640 ] || { chmod 640 "$f"; change; }
done
[ -f "$root/conf/app.conf" ] || { touch "$root/conf/app.conf"; change; }
grep -qx 'enabled = true' "$root/conf/app.conf" || { echo 'enabled = true' >> "$root/conf/app.conf"; change; }
[ "$(readlink "$root/current")" = "$root/data" ] || { ln -sfn "$root/data" "$root/current"; change; }
want=$(printf '# Managed by tsinfra\nhost = %s' "$name")
[ "$(cat "$root/conf/host.conf" 2>/dev/null)" = "$want" ] || { printf '%s\n' "$want" > "$root/conf/host.conf"; change; }
echo "$changes"
