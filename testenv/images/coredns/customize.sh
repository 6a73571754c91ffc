#!/bin/bash
# Cluster DNS image: the CoreDNS binary testenv/lib/build.sh built from Go modules.
# Run by testenv/images/build as root: customize.sh ROOTFS (an empty directory)
set -euo pipefail
root=$1
bin="${STOREFLEET_TESTENV_BIN_DIR:?}/coredns"
[ -x "$bin" ] || { echo "customize: $bin is missing (testenv/lib/build.sh builds it)" >&2; exit 1; }
install -d "$root/etc" "$root/tmp"
install -m 0755 "$bin" "$root/coredns"
chmod 1777 "$root/tmp"
printf 'nonroot:x:65532:65532:nonroot:/:/bin/false\n' > "$root/etc/passwd"
printf 'nonroot:x:65532:\n' > "$root/etc/group"
