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
