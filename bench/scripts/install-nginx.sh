#!/bin/sh
# Installs nginx (Debian package) for the bench's nginx target when it is missing.
# nginx-light is enough (it has the HTTP/2 and SSL modules); plain nginx is the fallback.
# Exits non-zero when neither can be installed; the bench then skips the nginx target.
set -eu

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "install-nginx: not root and no passwordless sudo; cannot install nginx" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends nginx-light >/dev/null \
  || $SUDO apt-get install -y -q --no-install-recommends nginx >/dev/null

# If the package started a system nginx (port 80), it is left alone: the bench runs
# its own instance on a free port with its own config and pid file.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]
