#!/bin/sh
# Run the local cluster's control plane and a kwok node in one container
# (the onepipe local cluster service). Components log to /run/k8s/*.log.
# Nothing here reaches the API server through the in-cluster "kubernetes"
# Service, so its endpoint reconciler is off and loopback is advertised.
# etcd keeps its data in STATE, so a cluster started again finds its objects.
# NODE is kwok (a kwok node) or real (node-up.sh: kubelet and containerd).
#   cluster-up.sh BIN PKI STATE NODE
set -eu
bin=$1 pki=$2 state=$3 node=${4:-kwok} run=/run/k8s kc=$2/local.kubeconfig
mkdir -p "$run" "$state"

etcd --name local --data-dir "$state/etcd" --listen-client-urls http://127.0.0.1:2379 \
  --advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380 >"$run/etcd.log" 2>&1 &
"$bin/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 --bind-address=0.0.0.0 --secure-port=6443 \
  --advertise-address=127.0.0.1 --endpoint-reconciler-type=none --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --client-ca-file="$pki/ca.crt" --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --service-cluster-ip-range=10.96.0.0/16 --authorization-mode=RBAC --allow-privileged=true \
  --kubelet-client-certificate="$pki/admin.crt" --kubelet-client-key="$pki/admin.key" \
  --kubelet-preferred-address-types=InternalIP >"$run/apiserver.log" 2>&1 &

i=0
until "$bin/kubectl" --kubeconfig "$kc" get --raw /readyz >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 120 ] || { echo "apiserver not ready"; tail -20 "$run/apiserver.log"; exit 1; }
  sleep 0.5
done
"$bin/kube-controller-manager" --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
  --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" --controllers='*,-nodeipam' >"$run/kcm.log" 2>&1 &
"$bin/kube-scheduler" --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
  --bind-address=127.0.0.1 --leader-elect=false >"$run/scheduler.log" 2>&1 &
if [ "$node" = real ]; then
  /onepipe/node-up.sh "$bin" "$pki" /var/lib/onepipe-node-root /var/lib/onepipe-node /onepipe/images
else
  "$bin/kwok" --kubeconfig="$kc" --config="$bin/kwok-stages.yaml" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake --cidr=10.203.0.0/24 --node-ip=10.203.0.1 >"$run/kwok.log" 2>&1 &
  "$bin/kubectl" --kubeconfig "$kc" apply -f /onepipe/kwok-node.yaml
fi
# A cluster started again on kept state is a node that rebooted: its pods are
# deleted and their controllers make new ones, which kwok readies afresh (a
# new kwok knows neither the pod IPs it handed out nor pods another marked
# not ready). Deployments keep their revisions; finished Jobs stay finished.
"$bin/kubectl" --kubeconfig "$kc" delete pods --all --all-namespaces --force --grace-period=0 --wait=false >/dev/null 2>&1 || true
echo "local cluster ready on :6443"
wait
