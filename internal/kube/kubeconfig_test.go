package kube

import (
	"strings"
	"testing"
)

func TestCheckKubeconfig(t *testing.T) {
	const good = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://10.0.0.1:6443", certificate-authority-data: AAAA}
users:
- name: u
  user: {token: s3cr3t-token}
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
`
	if err := CheckKubeconfig([]byte(good)); err != nil {
		t.Fatalf("good kubeconfig: %v", err)
	}
	for _, tc := range []struct{ name, data, want string }{
		{"empty", "  \n", "is empty"},
		{"not yaml", "{{{", "not YAML"},
		{"a secret key", "SECRET_KEY=abc", "is not a kubeconfig"},
		{"a manifest", "apiVersion: v1\nkind: Pod\n", "no kind: Config"},
		{"no server", strings.Replace(good, `server: "https://10.0.0.1:6443", `, "", 1), "no server URL"},
		{"no contexts", strings.Split(good, "contexts:")[0], "has no contexts"},
		{"dangling current-context", strings.Replace(good, "current-context: ctx", "current-context: other", 1), `current-context "other"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckKubeconfig([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error echoes the kubeconfig: %v", err)
			}
		})
	}
}

func TestLoopbackServerAndWithServer(t *testing.T) {
	const local = `apiVersion: v1
kind: Config
clusters:
- name: kind-dev
  cluster: {server: "https://127.0.0.1:41235", certificate-authority-data: AAAA}
- name: remote
  cluster: {server: "https://api.example.com:6443"}
users:
- name: u
  user: {token: t}
contexts:
- name: kind
  context: {cluster: kind-dev, user: u}
- name: far
  context: {cluster: remote, user: u}
current-context: kind
`
	u, ok := LoopbackServer([]byte(local))
	if !ok || u.Host != "127.0.0.1:41235" {
		t.Fatalf("LoopbackServer = %v, %v", u, ok)
	}
	if _, ok := LoopbackServer([]byte(strings.Replace(local, "current-context: kind", "current-context: far", 1))); ok {
		t.Error("a remote current context was taken for a loopback one")
	}
	out, err := WithServer([]byte(local), u, "https://onepipe-api:41235")
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, w := range []string{"server: https://onepipe-api:41235", "tls-server-name: 127.0.0.1", "server: https://api.example.com:6443", "certificate-authority-data: AAAA", "current-context: kind"} {
		if !strings.Contains(got, w) {
			t.Errorf("rewritten kubeconfig lacks %q:\n%s", w, got)
		}
	}
	if err := CheckKubeconfig(out); err != nil {
		t.Errorf("rewritten kubeconfig: %v", err)
	}
}
