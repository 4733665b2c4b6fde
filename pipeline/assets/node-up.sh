#!/bin/sh
# Start a real node in the local cluster's container (real-node mode, root
# capabilities): containerd + runc with the bridge CNI, the images of IMAGES
# (NAME.tar with its reference in NAME.ref) loaded, and the kubelet as node
# onepipe-node. containerd keeps its images in ROOT (kept between runs, like
# a node's disk); everything else lives in RUN (fresh each start). Settings
# follow what runs on a cgroup v1/v2 hybrid host without CAP_SYS_RESOURCE.
#   node-up.sh BIN PKI ROOT RUN IMAGES
set -eu
bin=$1 pki=$2 root=$3 run=$4 images=$5 kc=$2/local.kubeconfig
ip=$(ip -4 -o route get 1.1.1.1 | sed -n 's/.* src \([0-9.]*\).*/\1/p')
mkdir -p "$run/containerd" "$run/cni/net.d" "$run/kubelet" /run/k8s
sock=$run/containerd/containerd.sock
cat >"$run/containerd/config.toml" <<TOML
version = 2
root = "$root/containerd"
state = "$run/containerd/state"
[grpc]
  address = "$sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "onepipe.local/pause:1"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$run/cni/net.d"
TOML
cat >"$run/cni/net.d/10-bridge.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "onepipe", "plugins": [
  {"type": "bridge", "bridge": "onepipe0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$run/cni/ipam", "ranges": [[{"subnet": "10.204.0.0/24"}]],
            "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON
grep '^nameserver' /etc/resolv.conf >"$run/kubelet/resolv.conf" || echo 'nameserver 127.0.0.1' >"$run/kubelet/resolv.conf"
cat >"$run/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$sock
failCgroupV1: false
failSwapOn: false
podLogsDir: $run/pod-logs
resolvConf: $run/kubelet/resolv.conf
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
YAML
[ -e /dev/kmsg ] || ln -s /dev/console /dev/kmsg   # the kubelet's OOM watcher reads it
containerd --config "$run/containerd/config.toml" >/run/k8s/containerd.log 2>&1 &
i=0
until [ -S "$sock" ]; do i=$((i + 1)); [ $i -lt 80 ] || { echo "containerd did not start"; tail -20 /run/k8s/containerd.log; exit 1; }; sleep 0.25; done
for f in "$images"/*.tar; do
  [ -e "$f" ] || continue
  ctr --address "$sock" -n k8s.io images import --index-name "$(cat "${f%.tar}.ref")" "$f" >/dev/null
done
"$bin/kubelet" --config="$run/kubelet/config.yaml" --kubeconfig="$kc" --root-dir="$run/kubelet/root" \
  --hostname-override=onepipe-node --node-ip="$ip" >/run/k8s/kubelet.log 2>&1 &
echo "real node onepipe-node starting on $ip"
