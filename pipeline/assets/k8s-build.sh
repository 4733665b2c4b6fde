#!/bin/sh
# Build the local cluster's binaries from the Go module proxy (run by onepipe
# inside a golang container, with the module and build caches mounted).
#   k8s-build.sh K8S_VERSION STAGING_VERSION KWOK_VERSION OUT
set -eu
k8s=$1 staging=$2 kwok=$3 out=$4
mkdir -p "$out"

# The module zip has no staging/ sources: copy it and point every
# k8s.io/* staging requirement at the published module of the same release.
go mod download "k8s.io/kubernetes@$k8s"
rm -rf /src && cp -r "$(go env GOMODCACHE)/k8s.io/kubernetes@$k8s" /src && chmod -R u+w /src
cd /src && rm -rf vendor go.work go.work.sum
edits=""
for m in $(sed -n '/^replace (/,/^)/p' go.mod | awk '/=>/{print $1}'); do
  edits="$edits -dropreplace=$m"
  if grep -qE "^[[:space:]]+$m v0.0.0$" go.mod; then edits="$edits -require=$m@$staging"; fi
done
# shellcheck disable=SC2086
go mod edit $edits

mkdir -p cmd/k8s-allinone && cp /onepipe/k8s-allinone.go cmd/k8s-allinone/main.go
go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$k8s" -o "$out/k8s-allinone" ./cmd/k8s-allinone
for t in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet; do ln -sf k8s-allinone "$out/$t"; done
# the pause container of real-node mode, from Kubernetes' own source
gcc -static -O2 -o "$out/pause" build/pause/linux/pause.c

GOBIN="$out" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$kwok"
# kwok's "fast" stages make pods Ready and nodes heartbeat without a kubelet
stages="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$kwok/kustomize/stage"
for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  echo "---"; cat "$stages/$f"
done > "$out/kwok-stages.yaml"
ls -la "$out"
