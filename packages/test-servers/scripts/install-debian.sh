#!/bin/sh
# install-debian.sh <package> <binary> [<fallback-package>...]
#
# Installs a Debian package when <binary> is not on this machine yet, e.g.
#   install-debian.sh nginx-light nginx nginx
#   install-debian.sh nghttp2-server nghttpd
# Runs as root, or through passwordless `sudo -n`; never prompts. Exits 0 when
# <binary> is there afterwards, non-zero with a message on stderr otherwise.
#
# If the package started a system service named <binary> (Debian's nginx starts
# one on port 80), it is stopped: the tests run their own instances with their
# own config and pid file, and a system nginx would hold port 80 for nothing.
set -eu

me="install-debian"
if [ "$#" -lt 2 ]; then
  echo "usage: $0 <package> <binary> [<fallback-package>...]" >&2
  exit 2
fi
package=$1
binary=$2
shift 2

# sbin is not on every user's PATH, but that is where Debian puts daemons.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export PATH

if command -v "$binary" >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$me: $binary is missing and this is not a Debian-like system (no apt-get); install $package yourself" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "$me: $binary is missing; installing $package needs root or passwordless sudo, and neither is available" >&2
    exit 1
  fi
fi

# Two installs may run at once (parallel test workers): wait for dpkg's lock
# instead of failing on it. DEBIAN_FRONTEND goes through `env` because sudo
# resets the environment.
LOCK="-o DPkg::Lock::Timeout=300"

echo "$me: installing $package for $binary ..." >&2
# shellcheck disable=SC2086
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get $LOCK update -q >/dev/null; then
  echo "$me: apt-get update failed" >&2
  exit 1
fi
installed=""
for candidate in "$package" "$@"; do
  # shellcheck disable=SC2086
  if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get $LOCK install -y -q --no-install-recommends "$candidate" >/dev/null; then
    installed=$candidate
    break
  fi
  echo "$me: apt-get install $candidate failed" >&2
done
if [ -z "$installed" ]; then
  echo "$me: could not install any of: $package $*" >&2
  exit 1
fi

# Stop the system service the package may have started (see the top).
if [ -x "/etc/init.d/$binary" ] || [ -f "/lib/systemd/system/$binary.service" ]; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl stop "$binary" >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    $SUDO service "$binary" stop >/dev/null 2>&1 || true
  fi
fi
# Without a service manager, a daemon may still run from its default config:
# ask it to quit through its own pid file (`nginx -s quit` reads /run/nginx.pid).
if [ "$binary" = nginx ] && [ -s /run/nginx.pid ]; then
  $SUDO nginx -s quit >/dev/null 2>&1 || true
fi

if ! command -v "$binary" >/dev/null 2>&1; then
  echo "$me: installed $installed but $binary is still not on PATH" >&2
  exit 1
fi
echo "$me: installed $installed ($(command -v "$binary"))" >&2
