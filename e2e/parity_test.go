package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/pipeline"
)

// The onepipe CLI and the Dagger module (`dagger call` on ci/) go through
// one plan: on the same app and options they run the same stages with the
// same outcome, write the same reports and fail with the same line. These
// tests run both and compare.

// daggerCall runs `dagger call` on the module at the repository root with
// extra environment variables.
func daggerCall(t *testing.T, env []string, args ...string) result {
	t.Helper()
	bin := os.Getenv("_EXPERIMENTAL_DAGGER_CLI_BIN")
	if bin == "" {
		bin = "dagger"
	}
	return runBinary(t, bin, env, append([]string{"--progress=plain", "-m", repoRoot, "call"}, args...)...)
}

// stageRow is a summary line without its time: "test passed 11 passed, 0 failed ...".
var stageRow = regexp.MustCompile(`(?m)^(test|lint|pack|cluster|publish|deploy)\s+(passed|failed|failed \(allowed\)|cancelled|skipped)\s+\S+\s+(.*)$`)

// stages reads a summary table: stage → "status detail", without times
// (and with the image digest, which names a build, kept).
func stages(summary string) map[string]string {
	out := map[string]string{}
	for _, m := range stageRow.FindAllStringSubmatch(summary, -1) {
		out[m[1]] = m[2] + " " + strings.TrimSpace(m[3])
	}
	return out
}

func sameStages(t *testing.T, what, cli, module string) {
	t.Helper()
	c, m := stages(cli), stages(module)
	if len(c) == 0 {
		t.Fatalf("%s: no stages in the CLI's summary:\n%s", what, cli)
	}
	if fmt.Sprint(c) != fmt.Sprint(m) {
		t.Errorf("%s: the CLI and the module disagree\nCLI:    %v\nmodule: %v", what, c, m)
	}
}

// TestModuleAndCLIAgreeOnTornado: the whole run (test, lint, pack) and a
// failing test, through both doors.
func TestModuleAndCLIAgreeOnTornado(t *testing.T) {
	needEngine(t)
	app := copyApp(t, "tornado")
	sha := strings.Repeat("c", 40)

	out := t.TempDir()
	cli := onepipe(t, nil, "run", "--source", app, "--sha", sha, "--out", out)
	if cli.code != 0 {
		t.Fatalf("onepipe run: exit %d\n%s\n%s", cli.code, cli.stdout, lastLines(cli.stderr, 20))
	}
	modOut := t.TempDir()
	mod := daggerCall(t, nil, "--source", app, "run", "--sha", sha, "export", "--path", modOut)
	if mod.code != 0 {
		t.Fatalf("dagger call run: exit %d\n%s", mod.code, lastLines(mod.stderr, 30))
	}
	sameStages(t, "tornado run", cli.stdout, mustRead(t, filepath.Join(modOut, "summary.txt")))
	// the same testcases and findings (junit.xml also holds times and a host name)
	cases := regexp.MustCompile(`<testcase [^>]*>`)
	strip := regexp.MustCompile(` (time|timestamp|hostname)="[^"]*"`)
	for _, f := range []string{"junit.xml", "lint.txt", "lint-junit.xml"} {
		a, b := mustRead(t, filepath.Join(out, f)), mustRead(t, filepath.Join(modOut, f))
		if f == "junit.xml" {
			a, b = strip.ReplaceAllString(strings.Join(cases.FindAllString(a, -1), "\n"), ""), strip.ReplaceAllString(strings.Join(cases.FindAllString(b, -1), "\n"), "")
			if strings.Count(a, "<testcase") != 11 {
				t.Errorf("junit.xml has %d testcases, want 11", strings.Count(a, "<testcase"))
			}
		}
		if a != b {
			t.Errorf("%s differs between the CLI and the module:\nCLI:\n%s\nmodule:\n%s", f, a, b)
		}
	}

	// a failing test fails both, with the same line
	writeFile(t, filepath.Join(app, "tests", "test_parity.py"), "def test_parity_breaks():\n    assert 1 == 2\n")
	cli = onepipe(t, nil, "run", "--source", app, "--sha", sha, "--only", "test", "--out", t.TempDir())
	mod = daggerCall(t, nil, "--source", app, "run", "--sha", sha, "--only", "test", "entries")
	if cli.code != 1 || mod.code == 0 {
		t.Fatalf("failing test: CLI exit %d, module exit %d", cli.code, mod.code)
	}
	line := strings.TrimPrefix(lastLine(cli.stderr), "onepipe: ")
	if !strings.Contains(line, "failing: tests.test_parity::test_parity_breaks") {
		t.Fatalf("CLI failure line = %q", line)
	}
	if !strings.Contains(mod.stderr, line) {
		t.Errorf("the module's error lacks the CLI's line %q:\n%s", line, lastLines(mod.stderr, 20))
	}

	// bad input: the same one line, before any work
	cli = onepipe(t, nil, "plan", "--source", app, "--only", "tset")
	mod = daggerCall(t, nil, "--source", app, "plan", "--only", "tset")
	want := `unknown stage "tset" in --only: use test, lint or pack`
	if cli.code != 2 || !strings.Contains(cli.stderr, want) || mod.code == 0 || !strings.Contains(mod.stderr, want) {
		t.Errorf("bad input: CLI exit %d %q; module exit %d %q", cli.code, cli.stderr, mod.code, lastLines(mod.stderr, 5))
	}
}

// TestModuleAndCLIAgreeOnFlaskDeploy: test, lint, pack, the local cluster
// and the deploy with its smoke checks, through both doors, with the
// secrets the module takes as NAME=value lines.
func TestModuleAndCLIAgreeOnFlaskDeploy(t *testing.T) {
	needEngine(t)
	if testing.Short() {
		t.Skip("-short: the local cluster needs the Kubernetes build (minutes when cold)")
	}
	app := copyApp(t, "flask")
	cluster := fmt.Sprintf("parity-%d", time.Now().UnixNano())
	config := mustRead(t, filepath.Join(app, "onepipe.yaml"))
	config = strings.Replace(config, "    cluster:\n      provider: local\n", "    cluster:\n      provider: local\n      name: "+cluster+"\n", 1)
	writeFile(t, filepath.Join(app, "onepipe.yaml"), config)
	env := []string{"CONDUIT_SECRET_KEY=parity-secret-key", "CONDUIT_DB_PASSWORD=parity_db_password",
		"PARITY_SECRETS=CONDUIT_SECRET_KEY=parity-secret-key\nCONDUIT_DB_PASSWORD=parity_db_password\n"}
	sha := strings.Repeat("d", 40)

	cli := onepipe(t, env, "run", "--source", app, "--env", "dev", "--cluster", "local", "--sha", sha, "--out", t.TempDir())
	if cli.code != 0 {
		t.Fatalf("onepipe run: exit %d\n%s\n%s", cli.code, cli.stdout, lastLines(cli.stderr, 30))
	}
	modOut := t.TempDir()
	mod := daggerCall(t, env, "--source", app, "run", "--env", "dev", "--cluster", "local", "--sha", sha,
		"--secrets", "env://PARITY_SECRETS", "export", "--path", modOut)
	if mod.code != 0 {
		t.Fatalf("dagger call run: exit %d\n%s", mod.code, lastLines(mod.stderr, 40))
	}
	summary := mustRead(t, filepath.Join(modOut, "summary.txt"))
	sameStages(t, "flask deploy", cli.stdout, summary)
	for _, w := range []string{"5 smoke checks passed", "address: http://conduit.dev.example.com"} {
		if !strings.Contains(cli.stdout, w) || !strings.Contains(summary, w) {
			t.Errorf("%q missing from the CLI's or the module's summary:\nCLI:\n%s\nmodule:\n%s", w, cli.stdout, summary)
		}
	}
	for _, out := range []string{cli.stdout, cli.stderr, mod.stdout, mod.stderr, summary} {
		if strings.Contains(out, "parity-secret-key") || strings.Contains(out, "parity_db_password") {
			t.Error("a secret value reached the output")
		}
	}
}

// TestModuleAndCLIDeployToAnExistingCluster: a cluster someone else runs,
// reached with its kubeconfig alone (provider existing), as a developer's
// kind cluster is: its API server on this machine's loopback. The test
// runs a real API server (the local cluster's, started in the test's own
// engine session) and tunnels it to 127.0.0.1; the CLI reaches it through
// the engine's host tunnel, the module through --api-server
// tcp://localhost:PORT. Both push the image and deploy the pushed
// ref@digest; the API server shows it.
func TestModuleAndCLIDeployToAnExistingCluster(t *testing.T) {
	needEngine(t)
	if testing.Short() {
		t.Skip("-short: the cluster needs the Kubernetes build (minutes when cold)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	dag, err := dagger.Connect(ctx, dagger.WithLogOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer dag.Close()
	lc := pipeline.NewLocalCluster(dag, fmt.Sprintf("existing-%d", time.Now().UnixNano()))
	cluster, err := lc.Ensure(ctx)
	if err != nil {
		t.Fatalf("start the cluster: %v", err)
	}
	tunnel, err := dag.Host().Tunnel(lc.Service(), dagger.HostTunnelOpts{Ports: []dagger.PortForward{{Backend: 6443, Frontend: 0}}}).Start(ctx)
	if err != nil {
		t.Fatalf("tunnel the API server: %v", err)
	}
	defer tunnel.Stop(context.WithoutCancel(ctx))
	endpoint, err := tunnel.Endpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(endpoint, ":")
	kc, err := lc.PKI().File("local.kubeconfig").Contents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kc = strings.Replace(kc, "https://127.0.0.1:6443", "https://127.0.0.1:"+port, 1)

	app := copyApp(t, "tornado")
	config := mustRead(t, filepath.Join(app, "onepipe.yaml"))
	config = config[:strings.Index(config, "  smoke:")] // the cluster's ingress resolves nowhere from here
	writeFile(t, filepath.Join(app, "onepipe.yaml"), config)
	repo := fmt.Sprintf("127.0.0.1:5000/e2e/existing-%d", time.Now().UnixNano())
	env := []string{"EXISTING_KC=" + kc}
	image := func() string {
		out, err := cluster.Exec(ctx, cluster.Kubectl(), []string{"kubectl", "get", "deployment/tornado", "-n", "tornado-dev",
			"-o", "jsonpath={.spec.template.spec.containers[0].image}"})
		if err != nil {
			t.Fatalf("read the deployment: %v", err)
		}
		return out
	}

	cli := onepipe(t, env, "run", "--source", app, "--sha", strings.Repeat("e", 40), "--kubeconfig", "env:EXISTING_KC",
		"--publish", repo, "--out", t.TempDir())
	if cli.code != 0 {
		t.Fatalf("onepipe run: exit %d\n%s\n%s", cli.code, cli.stdout, lastLines(cli.stderr, 30))
	}
	pushed := regexp.MustCompile(`pushed (\S+@sha256:[0-9a-f]{64})`).FindStringSubmatch(cli.stdout)
	if pushed == nil || image() != pushed[1] {
		t.Fatalf("the CLI deployed %q, pushed %v", image(), pushed)
	}

	modOut := t.TempDir()
	mod := daggerCall(t, env, "--source", app, "run", "--sha", strings.Repeat("f", 40), "--kubeconfig", "env://EXISTING_KC",
		"--api-server", "tcp://localhost:"+port, "--publish", repo, "export", "--path", modOut)
	if mod.code != 0 {
		t.Fatalf("dagger call run: exit %d\n%s", mod.code, lastLines(mod.stderr, 40))
	}
	summary := mustRead(t, filepath.Join(modOut, "summary.txt"))
	pushed = regexp.MustCompile(`pushed (\S+@sha256:[0-9a-f]{64})`).FindStringSubmatch(summary)
	if pushed == nil || image() != pushed[1] || !strings.Contains(pushed[1], ":ffffffff@") {
		t.Fatalf("the module deployed %q, pushed %v", image(), pushed)
	}
	// same stages and outcomes, the version and digest aside
	// the version and digest aside, and where the kubeconfig came from: the
	// CLI reads a reference (env:EXISTING_KC), the module takes a Dagger
	// secret (--kubeconfig env://EXISTING_KC), which the plan names
	// env:ONEPIPE_KUBECONFIG
	norm := func(s string) string {
		s = regexp.MustCompile(`[0-9a-f]{8}@sha256:[0-9a-f]{64}|eeeeeeee|ffffffff`).ReplaceAllString(s, "V")
		return strings.NewReplacer("env:EXISTING_KC", "KUBECONFIG", "env:ONEPIPE_KUBECONFIG", "KUBECONFIG").Replace(s)
	}
	sameStages(t, "existing cluster", norm(cli.stdout), norm(summary))
}
