#!/usr/bin/env python3
"""Writes and reads single-layer OCI image archives (stdlib only).

    oci.py pack --rootfs DIR --config image.json --name REF [--label K=V ...] --out ARCHIVE.tar
    oci.py unpack ARCHIVE.tar DIR      # extracts the layer (numeric owners, modes kept)
    oci.py inspect ARCHIVE.tar         # prints the index, manifest and config as JSON
    oci.py layers ARCHIVE.tar          # prints the archive members of the layers, in order

`pack` turns a root filesystem directory into one gzip layer and writes an OCI image
layout as a tar (oci-layout, index.json, blobs/sha256/...), the format that
`ctr images import` (containerd 1.6+) and `skopeo copy oci-archive:` read. The image name
goes into the index's `org.opencontainers.image.ref.name` and `io.containerd.image.name`
annotations. image.json holds the runtime config (User, Env, Entrypoint, Cmd, WorkingDir,
Labels, ExposedPorts); --label adds labels to it.
"""

import argparse
import datetime
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


class HashingWriter:
    """A write-only file object that hashes and counts what passes through it."""

    def __init__(self, out):
        self.out = out
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.sha.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self):
        self.out.flush()

    def digest(self):
        return "sha256:" + self.sha.hexdigest()


def layer_entries(root):
    """Yields (path relative to root, absolute path) depth first, sorted, root excluded."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = name if rel_dir == "." else os.path.join(rel_dir, name)
            yield rel, full


def write_layer(root, out, level):
    """Writes root as a gzip'd tar to out; returns (diff_id, digest, size)."""
    blob = HashingWriter(out)
    with gzip.GzipFile(fileobj=blob, mode="wb", compresslevel=level, mtime=0) as gz:
        plain = HashingWriter(gz)
        with tarfile.open(fileobj=plain, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for rel, full in layer_entries(root):
                info = tar.gettarinfo(full, arcname=rel)
                if info is None:  # sockets: nothing to store
                    continue
                # Numeric owners only: the image's /etc/passwd, not the host's, names them.
                info.uname = ""
                info.gname = ""
                if info.isreg():
                    with open(full, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
        diff_id = plain.digest()
    return diff_id, blob.digest(), blob.size


def add_bytes(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def add_dir(tar, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = 0
    tar.addfile(info)


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def pack(args):
    with open(args.config) as f:
        runtime = json.load(f)
    labels = dict(runtime.get("Labels") or {})
    for item in args.label or []:
        key, sep, value = item.partition("=")
        if not sep:
            sys.exit(f"oci.py: --label wants KEY=VALUE, got {item!r}")
        labels[key] = value
    if labels:
        runtime["Labels"] = labels

    out_dir = os.path.dirname(os.path.abspath(args.out))
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryFile(dir=out_dir) as layer:
        diff_id, layer_digest, layer_size = write_layer(args.rootfs, layer, args.level)
        config = {
            "created": created,
            "architecture": "amd64",
            "os": "linux",
            "config": runtime,
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created": created, "created_by": "storefleet testenv/images/build " + args.name}],
        }
        config_blob = canonical(config)
        config_digest = "sha256:" + hashlib.sha256(config_blob).hexdigest()
        manifest = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "digest": config_digest, "size": len(config_blob)},
            "layers": [{"mediaType": MT_LAYER, "digest": layer_digest, "size": layer_size}],
            "annotations": {"org.opencontainers.image.created": created},
        }
        manifest_blob = canonical(manifest)
        manifest_digest = "sha256:" + hashlib.sha256(manifest_blob).hexdigest()
        index = {
            "schemaVersion": 2,
            "mediaType": MT_INDEX,
            "manifests": [{
                "mediaType": MT_MANIFEST,
                "digest": manifest_digest,
                "size": len(manifest_blob),
                "platform": {"architecture": "amd64", "os": "linux"},
                "annotations": {
                    "org.opencontainers.image.ref.name": args.name,
                    "io.containerd.image.name": args.name,
                },
            }],
        }

        tmp_out = args.out + ".partial"
        with open(tmp_out, "wb") as raw, tarfile.open(fileobj=raw, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            add_bytes(tar, "oci-layout", canonical({"imageLayoutVersion": "1.0.0"}))
            add_bytes(tar, "index.json", canonical(index))
            add_dir(tar, "blobs")
            add_dir(tar, "blobs/sha256")
            add_bytes(tar, "blobs/sha256/" + config_digest.split(":")[1], config_blob)
            add_bytes(tar, "blobs/sha256/" + manifest_digest.split(":")[1], manifest_blob)
            layer.seek(0)
            info = tarfile.TarInfo("blobs/sha256/" + layer_digest.split(":")[1])
            info.size = layer_size
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, layer)
        os.replace(tmp_out, args.out)
    print(json.dumps({"name": args.name, "manifest": manifest_digest, "config": config_digest,
                      "layer": layer_digest, "layer_bytes": layer_size}))


def read_archive(path):
    """Returns (tarfile, index, manifest, config)."""
    tar = tarfile.open(path, "r:")

    def blob(digest):
        return tar.extractfile("blobs/sha256/" + digest.split(":", 1)[1]).read()

    index = json.loads(tar.extractfile("index.json").read())
    manifest = json.loads(blob(index["manifests"][0]["digest"]))
    config = json.loads(blob(manifest["config"]["digest"]))
    return tar, index, manifest, config


def unpack(args):
    tar, _, manifest, _ = read_archive(args.archive)
    os.makedirs(args.dir, exist_ok=True)
    for desc in manifest["layers"]:
        member = "blobs/sha256/" + desc["digest"].split(":", 1)[1]
        with tar.extractfile(member) as gz, tarfile.open(fileobj=gz, mode="r|gz") as layer:
            for info in layer:
                # Layers from pack() have no whiteouts and no absolute or '..' paths.
                if info.name.startswith("/") or ".." in info.name.split("/"):
                    sys.exit(f"oci.py: refusing path {info.name!r}")
                layer.extract(info, args.dir, numeric_owner=True, set_attrs=True)
    # tarfile sets directory modes/times as it goes; nothing else to fix up.


def layers(args):
    _, _, manifest, _ = read_archive(args.archive)
    for desc in manifest["layers"]:
        print("blobs/sha256/" + desc["digest"].split(":", 1)[1])


def inspect(args):
    _, index, manifest, config = read_archive(args.archive)
    print(json.dumps({"index": index, "manifest": manifest, "config": config}, indent=2))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--rootfs", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--label", action="append")
    p.add_argument("--out", required=True)
    p.add_argument("--level", type=int, default=6, help="gzip level (default 6)")
    p.set_defaults(func=pack)
    u = sub.add_parser("unpack")
    u.add_argument("archive")
    u.add_argument("dir")
    u.set_defaults(func=unpack)
    i = sub.add_parser("inspect")
    i.add_argument("archive")
    i.set_defaults(func=inspect)
    ls = sub.add_parser("layers")
    ls.add_argument("archive")
    ls.set_defaults(func=layers)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
