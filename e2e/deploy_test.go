package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeployFlaskToLocalCluster is the deploy issue's acceptance test on a
// real engine: the Flask example deploys to the local cluster (migration,
// rollout, smoke checks, address), then a release whose health check fails
// is rolled back and the API server still serves the first release.
func TestDeployFlaskToLocalCluster(t *testing.T) {
	needEngine(t)
	if testing.Short() {
		t.Skip("-short: the local cluster needs the Kubernetes build (minutes when cold)")
	}
	const dbPassword = "e2e_db_password_4f9a"
	const secretKey = "e2e-secret-key-7d1c2b"
	env := []string{"CONDUIT_SECRET_KEY=" + secretKey, "CONDUIT_DB_PASSWORD=" + dbPassword}
	app := copyApp(t, "flask")
	cluster := fmt.Sprintf("e2e-%d", time.Now().UnixNano())
	config := mustRead(t, filepath.Join(app, "onepipe.yaml"))
	config = strings.Replace(config, "    cluster:\n      provider: local\n", "    cluster:\n      provider: local\n      name: "+cluster+"\n", 1)
	writeFile(t, filepath.Join(app, "onepipe.yaml"), config)
	good, bad := strings.Repeat("a", 40), strings.Repeat("b", 40)

	// 1. a good release, the whole run
	r := onepipe(t, env, "run", "--source", app, "--env", "dev", "--cluster", "local", "--sha", good, "--out", t.TempDir(), "--debug")
	if r.code != 0 {
		t.Fatalf("deploy: exit %d\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 30))
	}
	for _, want := range []string{"address: http://conduit.dev.example.com", "5 smoke checks passed", "to namespace flask-dev"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, step := range []string{"wait for migration job/flask-migrate-", "wait for the rollout of deployment/flask", "ok list articles: GET /api/articles → 200"} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress lacks %q", step)
		}
	}
	kubectl := kubectlFor(t, app)
	image := `jsonpath={.spec.template.spec.containers[0].image}`
	if got := kubectl("get", "deployment/flask", "-n", "flask-dev", "-o", image); got != "onepipe.local/flask:aaaaaaaa" {
		t.Errorf("deployed image = %q", got)
	}
	if got := kubectl("get", "jobs", "-n", "flask-dev", "-o", `jsonpath={.items[*].status.succeeded}`); got != "1" {
		t.Errorf("migration job succeeded = %q, want 1", got)
	}
	for _, obj := range []string{"secret/flask-secrets", "statefulset/flask-postgres", "service/flask", "ingress/flask"} {
		kubectl("get", obj, "-n", "flask-dev", "-o", "name")
	}
	// the kubeconfig's private key and the app's secrets never reach the output
	key := kubectl("config", "view", "--raw", "-o", `jsonpath={.users[0].user.client-key-data}`)
	if len(key) < 100 {
		t.Fatalf("client key = %q", key)
	}
	for name, secret := range map[string]string{"kubeconfig key": key, "db password": dbPassword, "secret key": secretKey} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("the %s appears in onepipe's output (with --debug)", name)
		}
	}

	// 2. a broken release: its health check fails
	api := filepath.Join(app, "conduit", "api.py")
	writeFile(t, api, strings.Replace(mustRead(t, api), "def health():\n", "def health():\n    return {\"status\": \"broken\"}, 500\n", 1))
	r = onepipe(t, env, "run", "--source", app, "--env", "dev", "--cluster", "local", "--only", "pack", "--sha", bad, "--out", t.TempDir())
	if r.code != 1 {
		t.Fatalf("broken release: exit %d, want 1\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 30))
	}
	msg := lastLine(r.stderr)
	for _, want := range []string{"onepipe: deploy to namespace flask-dev failed at \"run the smoke checks\"", "rolled deployment/flask back to revision 1", "got status 500"} {
		if !strings.Contains(msg, want) {
			t.Errorf("last line %q lacks %q", msg, want)
		}
	}
	if got := kubectl("get", "deployment/flask", "-n", "flask-dev", "-o", image); got != "onepipe.local/flask:aaaaaaaa" {
		t.Errorf("after the rollback the cluster runs %q, want the first release", got)
	}
	kubectl("rollout", "status", "deployment/flask", "-n", "flask-dev", "--timeout=60s")
}

// TestDeployTornadoToRealNode deploys the Tornado example to the local
// cluster's real node (containerd runs the image; the smoke checks go
// through kubectl port-forward), then a release whose readiness probe fails:
// its rollout times out and the first release serves again.
func TestDeployTornadoToRealNode(t *testing.T) {
	needEngine(t)
	if testing.Short() {
		t.Skip("-short: the local cluster needs the Kubernetes build (minutes when cold)")
	}
	app := copyApp(t, "tornado")
	config := mustRead(t, filepath.Join(app, "onepipe.yaml"))
	config = strings.Replace(config, "      localNode: real\n", fmt.Sprintf("      localNode: real\n      name: e2e-real-%d\n", time.Now().UnixNano()), 1)
	config = strings.Replace(config, "  timeout: 3m\n", "  timeout: 40s\n", 1)
	writeFile(t, filepath.Join(app, "onepipe.yaml"), config)

	r := onepipe(t, nil, "run", "--source", app, "--env", "dev", "--cluster", "local", "--only", "pack", "--sha", strings.Repeat("a", 40), "--out", t.TempDir())
	if r.code != 0 {
		t.Fatalf("deploy: exit %d\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 30))
	}
	for _, want := range []string{"local cluster", "(real node) ready", "2 smoke checks passed"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "ok test endpoint: GET /test → 200") || !strings.Contains(r.stderr, "through kubectl port-forward") {
		t.Errorf("the smoke checks did not reach the pod through port-forward:\n%s", lastLines(r.stderr, 20))
	}
	kubectl := kubectlFor(t, app)
	state := `jsonpath={.spec.template.spec.containers[0].image} {.status.readyReplicas}`
	if got := kubectl("get", "deployment/tornado", "-n", "tornado-dev", "-o", state); got != "onepipe.local/tornado:aaaaaaaa 1" {
		t.Errorf("after the first release: %q", got)
	}

	// a release whose /healthz fails: the kubelet never marks it ready
	py := filepath.Join(app, "app.py")
	writeFile(t, py, strings.Replace(mustRead(t, py), "    def get(self):\n        self.write({\"status\": \"ok\"})", "    def get(self):\n        self.set_status(500)\n        self.write({\"status\": \"broken\"})", 1))
	r = onepipe(t, nil, "run", "--source", app, "--env", "dev", "--cluster", "local", "--only", "pack", "--sha", strings.Repeat("b", 40), "--out", t.TempDir())
	if r.code != 1 {
		t.Fatalf("broken release: exit %d, want 1\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 30))
	}
	msg := lastLine(r.stderr)
	for _, want := range []string{`failed at "wait for the rollout of deployment/tornado"`, "rolled deployment/tornado back to revision 1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("last line %q lacks %q", msg, want)
		}
	}
	if got := kubectl("get", "deployment/tornado", "-n", "tornado-dev", "-o", state); got != "onepipe.local/tornado:aaaaaaaa 1" {
		t.Errorf("after the rollback: %q, want the first release ready", got)
	}
}

// kubectlFor runs `onepipe kubectl` on app's cluster and returns what
// kubectl printed, failing the test when it fails.
func kubectlFor(t *testing.T, app string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		k := onepipe(t, nil, append([]string{"kubectl", "--source", app, "--"}, args...)...)
		if k.code != 0 {
			t.Fatalf("kubectl %v: exit %d: %s", args, k.code, lastLine(k.stderr))
		}
		return k.stdout
	}
}
