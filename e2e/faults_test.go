package e2e

// The fault table of issue #16 (README, Troubleshooting → Faults): each test
// puts one fault under a real run on the real engine and checks what onepipe
// does. The shared engine and the registry at 127.0.0.1:5000 are never
// stopped: a proxy drops the registry's connections, and "the engine went
// away" is the dagger session process onepipe started being killed.

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onepipe/onepipe/pipeline"
)

// TestFaultRegistryDropsConnections: the registry drops the first blob
// upload mid-push. The push starts over and succeeds; the tag is pushed once.
func TestFaultRegistryDropsConnections(t *testing.T) {
	needEngine(t)
	needRegistry(t, mirror)
	proxy := newFaultProxy(t, mirror, 1)
	repo := fmt.Sprintf("e2e/faults-%d", time.Now().UnixNano())

	r := onepipe(t, nil, "pack", "--source", copyApp(t, "tornado"), "--publish", proxy.Addr+"/"+repo,
		"--sha", e2eSHA, "--branch", "main", "--out", t.TempDir())
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 after a retry\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 10))
	}
	if proxy.Cut() != 1 {
		t.Fatalf("the proxy cut %d uploads, want 1: the fault did not happen", proxy.Cut())
	}
	if n := pushAttempts(proxy, repo); n < 2 {
		t.Errorf("the push was attempted %d times, want a second attempt after the dropped upload", n)
	}
	if n := proxy.Count(`^PUT /v2/` + regexp.QuoteMeta(repo) + `/manifests/`); n != 1 {
		t.Errorf("the manifest was pushed %d times, want once", n)
	}
	if got := tags(t, mirror, repo); !slices.Equal(got, []string{"01234567"}) {
		t.Errorf("tags = %v, want [01234567]", got)
	}
	if want := "pushed " + proxy.Addr + "/" + repo + ":01234567@sha256:"; !strings.Contains(r.stdout, want) {
		t.Errorf("summary lacks %q:\n%s", want, r.stdout)
	}
	t.Logf("%d attempts, longest pause between requests %s", pushAttempts(proxy, repo), proxy.LongestPause().Round(time.Millisecond))
}

// pushAttempts is how many times a push to repo started: each attempt asks
// the registry once whether it has each blob.
func pushAttempts(p *faultProxy, repo string) int {
	heads := map[string]int{}
	prefix := "HEAD /v2/" + repo + "/blobs/"
	for _, l := range p.Lines() {
		if digest, ok := strings.CutPrefix(l, prefix); ok {
			heads[digest]++
		}
	}
	most := 0
	for _, n := range heads {
		most = max(most, n)
	}
	return most
}

// TestFaultRegistryRefusesAuth: the registry refuses the password. One
// line says so and the push is not retried: a retry would first pause
// pipeline.PublishBackoff, and the registry sees no such pause.
func TestFaultRegistryRefusesAuth(t *testing.T) {
	needEngine(t)
	const user, password = "ci", "e2e-Secret-Value-42"
	proxy := newFaultProxy(t, authRegistry(t, user, password), 0)
	repo := proxy.Addr + "/acme/tornado"

	r := onepipe(t, []string{"E2E_REGISTRY_PASSWORD=wrong-" + password}, "pack", "--source", copyApp(t, "tornado"),
		"--publish", repo, "--registry-username", user, "--registry-password", "env:E2E_REGISTRY_PASSWORD",
		"--sha", e2eSHA, "--branch", "main", "--out", t.TempDir())
	last := lastLine(r.stderr)
	if r.code != 1 || !strings.HasPrefix(last, "onepipe: publish "+repo+":01234567: registry refused the credentials") {
		t.Errorf("exit %d, last line %q", r.code, last)
	}
	if proxy.Count(`^HEAD /v2/acme/tornado/blobs/`) == 0 {
		t.Fatalf("no push reached the registry: %v", proxy.Lines())
	}
	if pause := proxy.LongestPause(); pause >= pipeline.PublishBackoff {
		t.Errorf("the registry saw a pause of %s between requests: the refused push was retried", pause)
	}
	t.Logf("%d requests, longest pause %s", len(proxy.Requests()), proxy.LongestPause().Round(time.Millisecond))
}

// TestFaultEngineGoneMidRun: the engine goes away while the tests run. onepipe
// exits 3 at once with one line that says so, and publishes nothing.
func TestFaultEngineGoneMidRun(t *testing.T) {
	needEngine(t)
	needRegistry(t, mirror)
	repo := fmt.Sprintf("onepipe-e2e/engine-gone-%d", time.Now().UnixNano())
	run := startSlowRun(t, repo)

	killSession(t, run.cmd.Process.Pid)
	code, took := run.wait(t)
	stderr := run.errb.String()
	last := lastLine(stderr)
	if code != 3 {
		t.Errorf("exit %d, want 3 (no engine)\n%s", code, lastLines(stderr, 3))
	}
	if !strings.HasPrefix(last, "onepipe: the Dagger engine went away mid-run: ") || !strings.Contains(last, "nothing was published") {
		t.Errorf("last line %q does not say the engine went away and that nothing was published", last)
	}
	if n := strings.Count(stderr, "engine went away"); n != 1 {
		t.Errorf("%d lines say the engine went away, want 1:\n%s", n, lastLines(stderr, 5))
	}
	if tags := tags(t, mirror, repo); len(tags) != 0 {
		t.Errorf("the run pushed %v", tags)
	}
	t.Logf("exit %d %.1fs after the session was killed: %s", code, took.Seconds(), last)
}

// TestFaultSIGTERM: SIGTERM, as a CI runner cancelling a job sends it, is
// Ctrl-C: exit 130, the cancelled stages named, nothing published.
func TestFaultSIGTERM(t *testing.T) {
	needEngine(t)
	needRegistry(t, mirror)
	repo := fmt.Sprintf("onepipe-e2e/sigterm-%d", time.Now().UnixNano())
	run := startSlowRun(t, repo)

	run.cmd.Process.Signal(syscall.SIGTERM)
	code, took := run.wait(t)
	last := lastLine(run.errb.String())
	if code != 130 {
		t.Errorf("exit %d, want 130\n%s", code, lastLines(run.errb.String(), 3))
	}
	if !strings.HasPrefix(last, "onepipe: interrupted: cancelled ") || !strings.Contains(last, "test") || !strings.HasSuffix(last, "nothing was published") {
		t.Errorf("last line %q does not name the cancelled stages", last)
	}
	if !strings.Contains(run.out.String(), "publish  skipped") {
		t.Errorf("summary does not show publish skipped:\n%s", run.out.String())
	}
	if tags := tags(t, mirror, repo); len(tags) != 0 {
		t.Errorf("the run pushed %v", tags)
	}
	t.Logf("exit %d %.1fs after SIGTERM", code, took.Seconds())
}

// TestFaultEngineGoneMidDeploy: the engine goes away after the deploy applied
// the app, while it waits for the rollout. onepipe exits 3 with one line that
// says so and what the cluster is left with: rolled back, or the kubectl
// commands to finish by hand.
func TestFaultEngineGoneMidDeploy(t *testing.T) {
	needEngine(t)
	if testing.Short() {
		t.Skip("-short: the local cluster needs the Kubernetes build (minutes when cold)")
	}
	app := copyApp(t, "flask")
	config := mustRead(t, filepath.Join(app, "onepipe.yaml"))
	cluster := fmt.Sprintf("e2e-gone-%d", time.Now().UnixNano())
	config = strings.Replace(config, "    cluster:\n      provider: local\n", "    cluster:\n      provider: local\n      name: "+cluster+"\n", 1)
	writeFile(t, filepath.Join(app, "onepipe.yaml"), config)

	run := start(t, []string{"CONDUIT_SECRET_KEY=e2e-secret-key", "CONDUIT_DB_PASSWORD=e2e_db_password"},
		"deploy: wait for the rollout of deployment/flask", 15*time.Minute,
		"run", "--source", app, "--env", "dev", "--cluster", "local", "--only", "pack", "--sha", strings.Repeat("c", 40), "--out", t.TempDir())

	killSession(t, run.cmd.Process.Pid)
	code, took := run.wait(t)
	stderr := run.errb.String()
	last := lastLine(stderr)
	if code != 3 {
		t.Errorf("exit %d, want 3 (no engine)\n%s", code, lastLines(stderr, 3))
	}
	if !strings.HasPrefix(last, "onepipe: the Dagger engine went away mid-run: ") || !strings.Contains(last, `deploy to namespace flask-dev failed at "`) {
		t.Errorf("last line %q does not say the engine went away during the deploy", last)
	}
	rolledBack := strings.Contains(last, "deleted deployment/flask") || strings.Contains(last, "rolled deployment/flask back")
	byHand := strings.Contains(last, "to undo by hand run: kubectl ")
	if !rolledBack && !byHand {
		t.Errorf("last line %q neither reports a rollback nor gives the commands to finish by hand", last)
	}
	if n := strings.Count(stderr, "engine went away"); n != 1 {
		t.Errorf("%d lines say the engine went away, want 1:\n%s", n, lastLines(stderr, 5))
	}
	t.Logf("exit %d %.1fs after the session was killed: %s", code, took.Seconds(), last)

	if byHand { // the commands given finish the job: no app Deployment is left half-applied
		kubectl := kubectlFor(t, app)
		if got := kubectl("get", "deployments", "--namespace=flask-dev", "-o", "name"); !strings.Contains(got, "deployment.apps/flask") {
			t.Fatalf("the line says flask-dev is half-applied, but its deployments are %q", got)
		}
		_, cmds, _ := strings.Cut(last, "to undo by hand run: ")
		cmds, _, _ = strings.Cut(cmds, " (")
		for _, c := range strings.Split(cmds, " && ") {
			args := strings.Fields(c)
			if len(args) < 2 || args[0] != "kubectl" {
				t.Fatalf("not a kubectl command: %q", c)
			}
			kubectl(args[1:]...)
		}
		if left := kubectl("get", "deployments", "--namespace=flask-dev", "-o", "name"); strings.TrimSpace(left) != "" {
			t.Errorf("after the commands given, namespace flask-dev still has %s", left)
		}
	}
}

// startSlowRun starts a run of the Flask example, publishing to repo on the
// mirror, with a 60-second test (unique, so no cache serves it) and the
// engine's log on stderr; it returns once pytest runs.
func startSlowRun(t *testing.T, repo string) *running {
	t.Helper()
	src := copyApp(t, "flask")
	writeFile(t, filepath.Join(src, "tests", "test_slow.py"),
		fmt.Sprintf("import time\n\n\ndef test_slow():\n    time.sleep(60)  # %d\n", time.Now().UnixNano()))
	r := start(t, nil, "test session starts", 3*time.Minute,
		"run", "--source", src, "--publish", mirror+"/"+repo, "--sha", e2eSHA, "--out", t.TempDir(), "--progress", "plain")
	time.Sleep(2 * time.Second) // into the tests
	return r
}
