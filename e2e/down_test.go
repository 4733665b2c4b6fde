package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDownRemovesAReviewEnvironment deploys the Tornado example as the
// review environment mr-7 of dev to a kwok local cluster of its own, checks
// its namespace with onepipe kubectl, tears it down with onepipe down
// --review mr-7 and checks that the namespace is gone and dev's untouched;
// a second down finds nothing to delete and still succeeds.
func TestDownRemovesAReviewEnvironment(t *testing.T) {
	needEngine(t)
	if testing.Short() {
		t.Skip("-short: the local cluster needs the Kubernetes build (minutes when cold)")
	}
	app := copyApp(t, "tornado")
	config := mustRead(t, filepath.Join(app, "onepipe.yaml"))
	kwok := strings.Replace(config, "      localNode: real\n", fmt.Sprintf("      name: e2e-down-%d\n", time.Now().UnixNano()), 1)
	if kwok == config {
		t.Fatal("examples/tornado/onepipe.yaml no longer has dev's localNode: real: update this test")
	}
	writeFile(t, filepath.Join(app, "onepipe.yaml"), kwok)
	sha := strings.Repeat("c", 40)

	// dev itself, which the review's teardown must leave alone
	r := onepipe(t, nil, "run", "--source", app, "--only", "pack", "--cluster", "local", "--sha", sha, "--out", t.TempDir())
	if r.code != 0 {
		t.Fatalf("deploy dev: exit %d\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 30))
	}
	r = onepipe(t, nil, "run", "--source", app, "--only", "pack", "--cluster", "local", "--review", "mr-7", "--sha", sha, "--out", t.TempDir())
	if r.code != 0 {
		t.Fatalf("deploy the review environment: exit %d\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 30))
	}
	if !strings.Contains(r.stdout, "to namespace tornado-dev-mr-7") {
		t.Errorf("the review deploy went elsewhere:\n%s", r.stdout)
	}
	kubectl := kubectlFor(t, app)
	if got := kubectl("get", "namespace", "tornado-dev-mr-7", "-o", "jsonpath={.status.phase}"); got != "Active" {
		t.Fatalf("namespace tornado-dev-mr-7 is %q, want Active", got)
	}
	if got := strings.TrimSpace(kubectl("get", "deployment/tornado", "-n", "tornado-dev-mr-7", "-o", "name")); got != "deployment.apps/tornado" {
		t.Errorf("the review namespace holds %q, want the app", got)
	}

	r = onepipe(t, nil, "down", "--source", app, "--cluster", "local", "--review", "mr-7")
	if r.code != 0 {
		t.Fatalf("down: exit %d\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 30))
	}
	if want := "deleted namespace tornado-dev-mr-7 (review environment mr-7 of dev) on the local cluster"; !strings.Contains(r.stdout, want) {
		t.Errorf("down said %q, want %q", r.stdout, want)
	}
	namespaces := kubectl("get", "namespaces", "-o", "name")
	if strings.Contains(namespaces, "namespace/tornado-dev-mr-7\n") {
		t.Errorf("after down the namespace is still there:\n%s", namespaces)
	}
	if !strings.Contains(namespaces, "namespace/tornado-dev\n") {
		t.Errorf("down removed dev's namespace too:\n%s", namespaces)
	}

	r = onepipe(t, nil, "down", "--source", app, "--cluster", "local", "--review", "mr-7")
	if r.code != 0 || !strings.Contains(r.stdout, "namespace tornado-dev-mr-7 (review environment mr-7 of dev) was not there") {
		t.Errorf("a second down: exit %d, said %q", r.code, r.stdout+lastLine(r.stderr))
	}
}
