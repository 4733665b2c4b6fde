package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHelmChartToLocalCluster is the Helm chart target's acceptance test on
// a real engine: the Flask example, switched to its chart, plans (release,
// namespace, chart version, values files), deploys to a kwok local cluster
// of its own with helm (migration hook, smoke checks, address), then a
// release whose health check fails is rolled back by helm rollback: the API
// server shows the first release's image again and helm's history the
// rollback. A chart that does not render changes nothing.
func TestHelmChartToLocalCluster(t *testing.T) {
	needEngine(t)
	if testing.Short() {
		t.Skip("-short: the local cluster and helm are built from the Go module proxy (minutes when cold)")
	}
	env := []string{"CONDUIT_SECRET_KEY=e2e-helm-secret-key-51c3", "CONDUIT_DB_PASSWORD=e2e_helm_db_password_8e2f"}
	app := copyApp(t, "flask")
	cluster := fmt.Sprintf("e2e-helm-%d", time.Now().UnixNano())
	config := mustRead(t, filepath.Join(app, "onepipe.yaml"))
	for old, repl := range map[string]string{
		"    cluster:\n      provider: local\n": "    cluster:\n      provider: local\n      name: " + cluster + "\n",
		"  manifests: deploy/k8s\n":             "  chart:\n    path: deploy/chart\n    values:\n      dev: [deploy/chart/values-dev.yaml]\n      prod: [deploy/chart/values-prod.yaml]\n",
	} {
		if !strings.Contains(config, old) {
			t.Fatalf("examples/flask/onepipe.yaml lacks %q", old)
		}
		config = strings.Replace(config, old, repl, 1)
	}
	writeFile(t, filepath.Join(app, "onepipe.yaml"), config)
	good, bad := strings.Repeat("a", 40), strings.Repeat("b", 40)

	// the plan names the release, namespace, chart version and values files
	r := onepipe(t, env, "plan", "--source", app, "--env", "dev", "--cluster", "local", "--sha", good)
	if r.code != 0 {
		t.Fatalf("plan: exit %d: %s", r.code, lastLine(r.stderr))
	}
	for _, want := range []string{
		"deploy: helm release flask of chart flask 0.1.0 (deploy/chart) to namespace flask-dev with helm v3.22.0",
		"then deploy/chart/values-dev.yaml, then image.repository=onepipe.local/flask image.tag=aaaaaaaa",
		"helm upgrade --install flask --atomic --wait --wait-for-jobs",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}

	t.Logf("plan:\n%s", r.stdout)

	// 1. a good release
	start := time.Now()
	r = onepipe(t, env, "run", "--source", app, "--env", "dev", "--cluster", "local", "--only", "pack", "--sha", good, "--out", t.TempDir(), "--debug")
	if r.code != 0 {
		t.Fatalf("deploy: exit %d\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 40))
	}
	t.Logf("first release: %s", time.Since(start).Round(time.Second))
	for _, want := range []string{"address: http://conduit.dev.example.com", "with helm release flask (revision 1), 5 smoke checks passed"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, step := range []string{"deploy: release flask is new", "deploy: helm upgrade --install flask", "ok list articles: GET /api/articles → 200"} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress lacks %q", step)
		}
	}
	for name, secret := range map[string]string{"db password": "e2e_helm_db_password_8e2f", "secret key": "e2e-helm-secret-key-51c3"} {
		for _, l := range strings.Split(r.stdout+r.stderr, "\n") {
			if strings.Contains(l, secret) {
				t.Errorf("the %s appears in onepipe's output (with --debug): %.300s", name, l)
				break
			}
		}
	}
	kubectl := kubectlFor(t, app)
	image := `jsonpath={.spec.template.spec.containers[0].image}`
	if got := kubectl("get", "deployment/flask", "-n", "flask-dev", "-o", image); got != "onepipe.local/flask:aaaaaaaa" {
		t.Errorf("deployed image = %q", got)
	}
	if got := kubectl("get", "job/flask-migrate", "-n", "flask-dev", "-o", `jsonpath={.status.succeeded}`); got != "1" {
		t.Errorf("migration hook succeeded = %q, want 1", got)
	}
	// helm keeps its history in Secrets labelled owner=helm
	history := func() string {
		return kubectl("get", "secrets", "-n", "flask-dev", "-l", "owner=helm,name=flask", "--sort-by=.metadata.labels.version",
			"-o", `jsonpath={range .items[*]}{.metadata.labels.version}={.metadata.labels.status} {end}`)
	}
	if got := strings.TrimSpace(history()); got != "1=deployed" {
		t.Errorf("helm history after the first release = %q", got)
	}

	// 2. a broken release: its health check fails, helm rolls it back
	api := filepath.Join(app, "conduit", "api.py")
	writeFile(t, api, strings.Replace(mustRead(t, api), "def health():\n", "def health():\n    return {\"status\": \"broken\"}, 500\n", 1))
	start = time.Now()
	r = onepipe(t, env, "run", "--source", app, "--env", "dev", "--cluster", "local", "--only", "pack", "--sha", bad, "--out", t.TempDir())
	t.Logf("broken release and its rollback: %s", time.Since(start).Round(time.Second))
	if r.code != 1 {
		t.Fatalf("broken release: exit %d, want 1\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 40))
	}
	msg := lastLine(r.stderr)
	t.Logf("broken release: %s", msg)
	for _, want := range []string{`deploy of helm release flask to namespace flask-dev failed at "run the smoke checks"`, "rolled release flask back to revision 1 with helm rollback", "got status 500"} {
		if !strings.Contains(msg, want) {
			t.Errorf("last line %q lacks %q", msg, want)
		}
	}
	for _, step := range []string{"deploy: release flask is at revision 1 (flask-0.1.0, deployed)", "deploy: roll release flask back to revision 1"} {
		if !strings.Contains(r.stderr, step) {
			t.Errorf("progress lacks %q:\n%s", step, lastLines(r.stderr, 30))
		}
	}
	if got := kubectl("get", "deployment/flask", "-n", "flask-dev", "-o", image); got != "onepipe.local/flask:aaaaaaaa" {
		t.Errorf("after the rollback the cluster runs %q, want the first release", got)
	}
	if got := strings.TrimSpace(history()); got != "1=superseded 2=superseded 3=deployed" {
		t.Errorf("helm history after the rollback = %q, want revision 3 (the rollback to 1) deployed", got)
	}
	kubectl("rollout", "status", "deployment/flask", "-n", "flask-dev", "--timeout=60s")

	// 3. a chart that does not render: helm changes nothing
	writeFile(t, filepath.Join(app, "deploy", "chart", "templates", "broken.yaml"), "{{ fail \"broken on purpose\" }}\n")
	r = onepipe(t, env, "run", "--source", app, "--env", "dev", "--cluster", "local", "--only", "pack", "--sha", bad, "--out", t.TempDir())
	msg = lastLine(r.stderr)
	t.Logf("chart that does not render: %s", msg)
	if r.code != 1 {
		t.Fatalf("broken chart: exit %d, want 1\nlast stderr lines:\n%s", r.code, lastLines(r.stderr, 30))
	}
	for _, want := range []string{`failed at "helm upgrade --install flask": nothing was changed: release flask stays at revision 3`, "broken on purpose"} {
		if !strings.Contains(msg, want) {
			t.Errorf("last line %q lacks %q", msg, want)
		}
	}
	if got := strings.TrimSpace(history()); got != "1=superseded 2=superseded 3=deployed" {
		t.Errorf("helm history after a chart that does not render = %q, want it unchanged", got)
	}
}
