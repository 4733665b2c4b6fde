#!/bin/sh
# Make the local cluster's PKI and kubeconfigs (run by onepipe in a container).
#   cluster-pki.sh ALIAS OUT
# OUT/admin.kubeconfig reaches the API server as https://ALIAS:6443 (clients
# bound to the cluster service); OUT/local.kubeconfig as https://127.0.0.1:6443
# (the components inside the cluster container).
set -eu
alias=$1 out=$2
mkdir -p "$out" && cd "$out"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=onepipe-local-ca" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:10.96.0.1\nextendedKeyUsage=serverAuth\n' "$alias" > apiserver.ext
openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 3650 -extfile apiserver.ext 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=onepipe-admin" 2>/dev/null
openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 3650 -extfile client.ext 2>/dev/null
openssl genrsa -out sa.key 2048 2>/dev/null && openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
kubeconfig() {
  cat <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://$1:6443", certificate-authority-data: $(base64 -w0 ca.crt)}
users:
- name: admin
  user: {client-certificate-data: $(base64 -w0 admin.crt), client-key-data: $(base64 -w0 admin.key)}
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
KC
}
kubeconfig "$alias" > admin.kubeconfig
kubeconfig 127.0.0.1 > local.kubeconfig
rm -f ./*.csr ./*.ext ./*.srl
