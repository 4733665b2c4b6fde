package cli

import (
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/plan"
)

// down --dry-run says what it would delete and where, through the plan,
// and touches no engine.
func TestDownDryRun(t *testing.T) {
	src := exampleDir(t, "flask")
	kubeconfig := map[string]string{"KUBECONFIG_DATA": "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]\n" +
		"users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"review of dev on the local cluster", nil, []string{"--review", "mr-7"}, []string{
			"down: delete namespace flask-dev-mr-7 (review environment mr-7 of environment dev) and everything in it, on the local cluster:",
			`local cluster "local" run by the engine`,
			"kubectl delete namespace flask-dev-mr-7 --ignore-not-found --wait=true --timeout=5m0s"}},
		{"dev itself", nil, []string{"--env", "dev", "--timeout", "2m"}, []string{
			"delete namespace flask-dev (environment dev)", "--timeout=2m0s"}},
		{"a review on an existing cluster", kubeconfig, []string{"--review", "feature-login", "--kubeconfig", "env:KUBECONFIG_DATA"}, []string{
			"delete namespace flask-dev-feature-login (review environment feature-login of environment dev)", "on the existing cluster"}},
		{"prod with --allow-protected", kubeconfig, []string{"--env", "prod", "--allow-protected", "--kubeconfig", "env:KUBECONFIG_DATA"}, []string{
			"delete namespace flask-prod (environment prod)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, append([]string{"down", "--source", src, "--dry-run"}, tt.args...)...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.out, w) {
					t.Errorf("output lacks %q:\n%s", w, r.out)
				}
			}
		})
	}
}

func TestDownBadInput(t *testing.T) {
	src := exampleDir(t, "flask")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"down", "--source", src, "--env", "staging"}, `unknown environment "staging": use one of dev, prod`},
		{[]string{"down", "--source", src, "--env", "prod"}, "environment prod is protected: pass --allow-protected to delete its namespace flask-prod and everything in it"},
		{[]string{"down", "--source", src, "--review", "MR 7"}, `--review "MR 7": use lowercase letters, digits and dashes`},
		{[]string{"down", "--source", src, "--review", "feature/login"}, "$CI_COMMIT_REF_SLUG"},
		{[]string{"down", "--source", src, "--cluster", "minikube"}, `--cluster "minikube": use aks, existing, kops or local`},
		{[]string{"down", "--source", src, "--kubeconfig", "env:NOPE"}, "secret env:NOPE is not set"},
		{[]string{"down", "--source", src, "--kubeconfig", "env:NOPE", "--cluster", "local"}, "--kubeconfig reaches an existing cluster: it cannot be used with --cluster local"},
		{[]string{"down", "--source", src, "--timeout", "0s"}, "--timeout 0s: give a positive duration such as 5m"},
		{[]string{"down", "--source", src, "extra"}, `unknown command "extra"`},
		{[]string{"down", "--source", t.TempDir()}, "is not a Python project"},
	}
	for _, tt := range tests {
		r := run(t, nil, tt.args...)
		if r.code != ExitUsage || !strings.Contains(r.err, tt.want) {
			t.Errorf("onepipe %v: exit %d, stderr %q; want exit 2 and %q", tt.args, r.code, r.err, tt.want)
		}
		if n := strings.Count(strings.TrimSpace(r.err), "\n"); n != 0 {
			t.Errorf("onepipe %v: error is %d lines, want one: %q", tt.args, n+1, r.err)
		}
	}
}

func TestDownResult(t *testing.T) {
	review := &plan.Teardown{EnvName: "dev", Review: "mr-7", Namespace: "tornado-dev-mr-7", Provider: "local"}
	dev := &plan.Teardown{EnvName: "dev", Namespace: "tornado-dev", Provider: "existing"}
	tests := []struct {
		td   *plan.Teardown
		out  string
		want string
	}{
		{review, "namespace \"tornado-dev-mr-7\" deleted\n", "deleted namespace tornado-dev-mr-7 (review environment mr-7 of dev) on the local cluster"},
		{review, "", "namespace tornado-dev-mr-7 (review environment mr-7 of dev) was not there: nothing to delete on the local cluster"},
		{dev, "namespace \"tornado-dev\" deleted\n", "deleted namespace tornado-dev (environment dev) on the existing cluster"},
	}
	for _, tt := range tests {
		if got := downResult(tt.td, tt.out); got != tt.want {
			t.Errorf("downResult(%q) = %q, want %q", tt.out, got, tt.want)
		}
	}
}
