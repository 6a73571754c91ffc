# syntax=docker/dockerfile:1
# The Storefleet platform image: one binary (dashboard and store charts built in), helm,
# nothing else. Runs as uid 65532 without a shell.
#
#   docker build -t storefleet:dev .        (or: buildah build -t storefleet:dev .)
#
# Base images are arguments so that a registry mirror or pinned digests can be used.
ARG NODE_IMAGE=docker.io/library/node:22-bookworm-slim
ARG RUST_IMAGE=docker.io/library/rust:1-bookworm
ARG GO_IMAGE=docker.io/library/golang:1.26-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

# The dashboard (web/dist), embedded by the Rust build.
FROM ${NODE_IMAGE} AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# helm, at the version testenv pins (testenv/versions.env), built from Go modules.
FROM ${GO_IMAGE} AS helm
ARG HELM_VERSION=v4.3.1
RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath -ldflags '-s -w' "helm.sh/helm/v4/cmd/helm@${HELM_VERSION}"

# The platform binary: Cargo profile `dist` (release, stripped, no debug information).
FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src/ src/
COPY migrations/ migrations/
COPY charts/woocommerce-store/ charts/woocommerce-store/
COPY charts/medusa-store/ charts/medusa-store/
COPY --from=web /src/web/dist/ web/dist/
RUN cargo build --locked --profile dist --bin storefleet \
 && install -D -m 0755 target/dist/storefleet /out/storefleet \
 && install -d -m 0700 /out/data

# Runtime: glibc, CA certificates and a nonroot user (65532), no shell or package manager.
FROM ${RUNTIME_IMAGE}
COPY --from=build /out/storefleet /usr/local/bin/storefleet
COPY --from=helm /out/helm /usr/local/bin/helm
# The data directory (SQLite, the signing key, the unpacked charts): mount a volume here.
COPY --from=build --chown=65532:65532 /out/data /var/lib/storefleet
ENV HOME=/tmp \
    STOREFLEET_LISTEN=0.0.0.0:8080 \
    STOREFLEET_DATA_DIR=/var/lib/storefleet \
    STOREFLEET_HELM=/usr/local/bin/helm \
    STOREFLEET_LOG_FORMAT=json
WORKDIR /var/lib/storefleet
USER 65532:65532
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/storefleet"]
CMD ["serve"]
