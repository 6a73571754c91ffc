# shellcheck shell=bash
# Local PKI for the test cluster: one CA, serving certs for every component, client certs
# for every client, and the service-account key pair. Sourced by testenv/cluster.
#
# Why these extensions: rustls (kube-rs' default TLS) refuses a self-signed leaf used as
# its own trust anchor and checks keyUsage/extKeyUsage strictly, so the CA is a real CA
# (CA:TRUE, keyCertSign) and every leaf says exactly what it is for.

PKI_DIR="$STATE_DIR/pki"
CA_DAYS=3650
LEAF_DAYS=825

# name cn org eku san  (org and san may be empty; eku: server|client|both)
issue_cert() {
  local name="$1" cn="$2" org="$3" eku="$4" san="$5"
  [ -s "$PKI_DIR/$name.crt" ] && [ -s "$PKI_DIR/$name.key" ] && return 0
  local subj="/CN=$cn" ext="$PKI_DIR/$name.ext" usage
  [ -n "$org" ] && subj="/O=$org$subj"
  case "$eku" in
    server) usage="serverAuth" ;;
    client) usage="clientAuth" ;;
    both) usage="serverAuth,clientAuth" ;;
    *) die "issue_cert: bad eku $eku" ;;
  esac
  {
    echo "basicConstraints = critical, CA:FALSE"
    echo "keyUsage = critical, digitalSignature"
    echo "extendedKeyUsage = $usage"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid"
    [ -n "$san" ] && echo "subjectAltName = $san"
  } > "$ext"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI_DIR/$name.key" 2>/dev/null
  openssl req -new -key "$PKI_DIR/$name.key" -subj "$subj" -out "$PKI_DIR/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
    -CAcreateserial -days "$LEAF_DAYS" -sha256 -extfile "$ext" -out "$PKI_DIR/$name.crt" 2>/dev/null \
    || die "openssl failed to issue $name"
  rm -f "$PKI_DIR/$name.csr" "$ext"
  chmod 600 "$PKI_DIR/$name.key"
}

ensure_pki() {
  mkdir -p "$PKI_DIR"
  chmod 700 "$PKI_DIR"
  if [ ! -s "$PKI_DIR/ca.crt" ] || [ ! -s "$PKI_DIR/ca.key" ]; then
    log "generating a local CA in $PKI_DIR"
    # A new CA invalidates every leaf signed by the old one.
    rm -f "$PKI_DIR"/*.crt "$PKI_DIR"/*.key "$PKI_DIR"/*.srl
    openssl ecparam -name prime256v1 -genkey -noout -out "$PKI_DIR/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$PKI_DIR/ca.key" -sha256 -days "$CA_DAYS" \
      -subj "/O=Storefleet/CN=storefleet-testenv-ca" \
      -addext "basicConstraints = critical, CA:TRUE" \
      -addext "keyUsage = critical, keyCertSign, cRLSign, digitalSignature" \
      -addext "subjectKeyIdentifier = hash" \
      -out "$PKI_DIR/ca.crt" 2>/dev/null || die "openssl failed to create the CA"
    chmod 600 "$PKI_DIR/ca.key"
  fi

  local loopback="IP:127.0.0.1, DNS:localhost"
  # 10.96.0.1 is the `kubernetes` Service's cluster IP (first address of the service range);
  # 10.244.0.1 the real node's bridge, where pods reach the API server. A certificate from
  # before the real node lacks that address: issue it again.
  if [ -s "$PKI_DIR/kube-apiserver.crt" ] && ! openssl x509 -in "$PKI_DIR/kube-apiserver.crt" -noout -ext subjectAltName 2>/dev/null | grep -q 'IP Address:10.244.0.1'; then
    rm -f "$PKI_DIR/kube-apiserver.crt" "$PKI_DIR/kube-apiserver.key"
  fi
  issue_cert kube-apiserver kube-apiserver "" server \
    "$loopback, IP:10.96.0.1, IP:10.244.0.1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local"
  issue_cert etcd-server etcd "" both "$loopback"
  issue_cert kube-controller-manager-server kube-controller-manager "" server "$loopback"
  issue_cert kube-scheduler-server kube-scheduler "" server "$loopback"
  issue_cert kwok-server kwok "" server "$loopback"

  # Clients. Names match the RBAC bootstrap policy's subjects.
  issue_cert admin storefleet-admin system:masters client ""
  issue_cert apiserver-etcd-client kube-apiserver-etcd-client "" client ""
  issue_cert kube-controller-manager system:kube-controller-manager "" client ""
  issue_cert kube-scheduler system:kube-scheduler "" client ""
  # kwok plays every kubelet: it patches node and pod status, renews leases and deletes
  # pods, so it gets cluster-admin rather than the per-node identity the Node authorizer wants.
  issue_cert kwok kwok-controller system:masters client ""

  if [ ! -s "$PKI_DIR/sa.key" ] || [ ! -s "$PKI_DIR/sa.pub" ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI_DIR/sa.key" 2>/dev/null
    openssl pkey -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
    chmod 600 "$PKI_DIR/sa.key"
  fi
}

# kubeconfig with the credentials embedded, so it can be copied and read by any client.
write_kubeconfig() { # path user cert-name
  local path="$1" user="$2" cert="$3"
  local b64="base64 -w0"
  umask 077
  cat > "$path.tmp" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: storefleet-testenv
  cluster:
    server: https://$HOST:$APISERVER_PORT
    certificate-authority-data: $($b64 < "$PKI_DIR/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $($b64 < "$PKI_DIR/$cert.crt")
    client-key-data: $($b64 < "$PKI_DIR/$cert.key")
contexts:
- name: storefleet-testenv
  context:
    cluster: storefleet-testenv
    user: $user
current-context: storefleet-testenv
KUBECONFIG
  mv -f "$path.tmp" "$path"
  umask 022
}
