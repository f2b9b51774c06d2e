#!/bin/sh
# Builds a job's view of the file system, then runs the job's command in it with no privilege left.
# Run by util-linux's `unshare` inside a new mount namespace (and a user namespace when stackfork is
# not root); see provisioner/sandbox/create-sandbox.ts, which builds the arguments:
#
#   enter-sandbox.sh ROOT UID PROC [--ro PATH | --rw PATH | --empty PATH]... -- COMMAND [ARG]...
#
# ROOT is an empty directory: a private tmpfs is mounted on it and becomes `/`. UID is the job's uid
# (`keep`: the one it has). PROC is `show` or `hide`. Only the listed
# paths exist there, each at its own absolute path: --ro read-only, --rw writable, --empty an empty
# tmpfs (to hide what an earlier --ro showed). Paths arrive as arguments, never as script text.
set -eu
root=$1
uid=$2
proc=$3
shift 3
# The job's PATH is its own; the tools below are the system's.
job_path=$PATH
PATH=/usr/sbin:/usr/bin:/sbin:/bin
setpriv=$(command -v setpriv)

mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root"
# A fresh /tmp (tmpfs: it lives as long as anything runs in this namespace, a local copy included).
mkdir -p "$root/tmp"
mount -t tmpfs -o mode=1777,nosuid,nodev,size=2g tmpfs "$root/tmp"

bind() { # bind SOURCE ro|rw
  target="$root$1"
  if [ -L "$1" ]; then
    mkdir -p "$(dirname "$target")"
    ln -sfn "$(readlink "$1")" "$target"
    return
  fi
  if [ -d "$1" ]; then mkdir -p "$target"; else mkdir -p "$(dirname "$target")"; : >"$target"; fi
  mount --rbind "$1" "$target"
  # nosuid: a set-uid binary seen here must not give back what the sandbox took.
  if [ "$2" = ro ]; then mount -o remount,bind,ro,nosuid,nodev "$target"; else mount -o remount,bind,nosuid,nodev "$target"; fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    --ro) [ -e "$2" ] || [ -L "$2" ] && bind "$2" ro; shift 2 ;;
    --rw) bind "$2" rw; shift 2 ;;
    --empty) mkdir -p "$root$2"; mount -t tmpfs -o mode=0755,nosuid,nodev,size=1m tmpfs "$root$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "enter-sandbox: unknown argument $1" >&2; exit 64 ;;
  esac
done

# /proc: a process of another uid cannot read ours (environ, root, fd), so the host's is shown
# when the job runs as its own uid; under a user namespace mapped to stackfork's own uid it is not.
mkdir -p "$root/proc"
mount --rbind /proc "$root/proc"
mkdir -p "$root/dev"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=1777,nosuid,nodev,size=64m tmpfs "$root/dev/shm" 2>/dev/null || true

cd "$root"
mkdir -p .old-root
pivot_root . .old-root
umount -l /.old-root
rmdir /.old-root
if [ "$proc" = hide ]; then umount -l /proc; fi
cd /
PATH=$job_path

# No capability survives (so no mount above can be undone), no set-uid gain, and the job's own uid.
if [ "$uid" = keep ]; then
  exec "$setpriv" --inh-caps=-all --bounding-set=-all --no-new-privs "$@"
fi
exec "$setpriv" --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs "$@"
