#!/bin/bash
# The pod sandbox ("pause") image: one static binary compiled here from pause.c.
# Run by testenv/images/build as root: customize.sh ROOTFS (an empty directory)
set -euo pipefail
root=$1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v gcc >/dev/null || { echo "customize: gcc is needed to build pause" >&2; exit 1; }
gcc -static -Os -s -Wall -Werror -o "$root/pause" "$here/pause.c"
