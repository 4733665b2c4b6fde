package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/versions"
)

// TestDeployTornadoToADockerHost is the Docker host target's acceptance
// test: a Docker daemon runs as a Dagger service in the test's own engine
// session and is tunnelled to this machine's loopback, as a daemon on this
// machine would be; onepipe reaches it through the engine's host tunnel and
// loads the image pack built (the daemon reaches no registry). The Tornado
// example's box environment deploys there; a release whose /healthz fails
// is refused while the first keeps answering on its port; a good release
// then replaces the first; a release that cannot take its ports fails the
// swap and the one it replaced serves again.
func TestDeployTornadoToADockerHost(t *testing.T) {
	needEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	dag, err := dagger.Connect(ctx, dagger.WithLogOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer dag.Close()
	ports := freePorts(t, 3)
	daemonPort, appPort, checkPort := ports[0], ports[1], ports[2]
	dind := dag.Container().From(versions.DockerDaemonImage).
		WithEnvVariable("ONEPIPE_E2E_DAEMON", fmt.Sprint(time.Now().UnixNano())). // a daemon of its own
		WithExposedPort(2375).
		AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true, InsecureRootCapabilities: true})
	// the daemon's API and the app's ports on this machine's loopback, at the
	// port numbers the daemon publishes them on
	tunnel, err := dag.Host().Tunnel(dind, dagger.HostTunnelOpts{Ports: []dagger.PortForward{
		{Backend: 2375, Frontend: daemonPort}, {Backend: appPort, Frontend: appPort}, {Backend: checkPort, Frontend: checkPort},
	}}).Start(ctx)
	if err != nil {
		t.Fatalf("start the Docker daemon: %v", err)
	}
	defer tunnel.Stop(context.WithoutCancel(ctx))
	docker := func(args ...string) string { // the daemon as its CLI sees it
		t.Helper()
		out, err := dag.Container().From(versions.DockerCLIImage).
			WithServiceBinding("docker", dind).
			WithEnvVariable("DOCKER_HOST", "tcp://docker:2375").
			WithEnvVariable("ONEPIPE_E2E_CALL", fmt.Sprint(time.Now().UnixNano())).
			WithExec(append([]string{"docker"}, args...)).Stdout(ctx)
		if err != nil {
			t.Fatalf("docker %v: %v", args, err)
		}
		return strings.TrimSpace(out)
	}
	host := fmt.Sprintf("tcp://127.0.0.1:%d", daemonPort)

	app := copyApp(t, "tornado")
	config := mustRead(t, filepath.Join(app, "onepipe.yaml"))
	box := "      host: ssh://deploy@box.example.com\n      sshKey: env:BOX_SSH_KEY\n      knownHosts: env:BOX_KNOWN_HOSTS\n      ports: [\"20200:8744\"]\n      checkPort: 20201\n"
	if !strings.Contains(config, box) {
		t.Fatalf("examples/tornado/onepipe.yaml has no box environment to point at the test's daemon:\n%s", config)
	}
	config = strings.Replace(config, box, fmt.Sprintf("      host: %s\n      ports: [\"%d:8744\"]\n      checkPort: %d\n", host, appPort, checkPort), 1)
	config = strings.Replace(config, "  timeout: 3m\n", "  timeout: 40s\n", 1)
	writeFile(t, filepath.Join(app, "onepipe.yaml"), config)
	good, bad, next := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	run := func(sha string) result {
		return onepipe(t, nil, "run", "--source", app, "--env", "box", "--deploy", "--only", "pack", "--sha", sha, "--out", t.TempDir())
	}
	get := func(path string) (int, string) { // from this machine, through the tunnel
		t.Helper()
		c := http.Client{Timeout: 10 * time.Second}
		resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", appPort, path))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	containers := `{{.Names}} {{.Image}} {{.State}}`

	// 1. the plan names the host and every step
	p := onepipe(t, nil, "plan", "--source", app, "--env", "box", "--deploy", "--sha", good)
	if p.code != 0 {
		t.Fatalf("plan: exit %d\n%s", p.code, p.stderr)
	}
	for _, want := range []string{
		"deploy: onepipe.local/tornado:aaaaaaaa to the Docker host " + host + " as container tornado-box",
		"this machine's loopback, through the engine's host tunnel",
		fmt.Sprintf("run the smoke checks against it at 127.0.0.1:%d: health, test endpoint", checkPort),
		"load the image pack built into the daemon (docker load)",
		fmt.Sprintf("port 8744 published on host port %d (checkPort)", checkPort),
		fmt.Sprintf("start the new release as tornado-box (ports %d:8744, restart unless-stopped)", appPort),
		"on failure: remove tornado-box-next; the old release keeps serving",
	} {
		if !strings.Contains(p.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, p.stdout)
		}
	}
	if strings.Contains(p.stdout, "cluster") {
		t.Errorf("a Docker host environment plans a cluster stage:\n%s", p.stdout)
	}

	// 2. a good release: loaded, checked beside nothing, started on its port
	r := run(good)
	if r.code != 0 {
		t.Fatalf("deploy: exit %d\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 40))
	}
	for _, want := range []string{fmt.Sprintf("address: http://127.0.0.1:%d", appPort), "2 smoke checks passed", "to the Docker host " + host + " as tornado-box"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "ok test endpoint: GET /test → 200") || !strings.Contains(r.stderr, fmt.Sprintf("smoke checks against tornado-box-next at http://127.0.0.1:%d", checkPort)) {
		t.Errorf("the smoke checks did not run against the new container:\n%s", lastLines(r.stderr, 30))
	}
	if code, body := get("/test"); code != 200 || body != "test gitlab_cicd api success" {
		t.Errorf("GET /test = %d %q", code, body)
	}
	first := docker("ps", "--all", "--format", containers)
	if first != "tornado-box onepipe.local/tornado:aaaaaaaa running" {
		t.Fatalf("after the first release the daemon runs:\n%s", first)
	}
	firstID := docker("inspect", "--format", "{{.Id}} {{.State.StartedAt}}", "tornado-box")

	// 3. a release whose /healthz fails: refused, the first keeps serving
	py := filepath.Join(app, "app.py")
	source := mustRead(t, py)
	writeFile(t, py, strings.Replace(source, `        self.write({"status": "ok"})`, `        self.set_status(500)
        self.write({"status": "broken"})`, 1))
	r = run(bad)
	if r.code != 1 {
		t.Fatalf("broken release: exit %d, want 1\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 40))
	}
	msg := lastLine(r.stderr)
	for _, want := range []string{
		"deploy to the Docker host " + host + ` failed at "run the smoke checks against tornado-box-next"`,
		"removed the new release; tornado-box (version aaaaaaaa) still serves",
		"got status 500",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("last line %q lacks %q", msg, want)
		}
	}
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("after the refused release GET /healthz = %d %q", code, body)
	}
	if got := docker("ps", "--all", "--format", containers); got != first {
		t.Errorf("after the refused release the daemon runs:\n%s\nwant:\n%s", got, first)
	}
	if got := docker("inspect", "--format", "{{.Id}} {{.State.StartedAt}}", "tornado-box"); got != firstID {
		t.Errorf("the first release was touched: %s, was %s", got, firstID)
	}

	// 4. a good release replaces the first: stopped, swapped, removed
	writeFile(t, py, source)
	r = run(next)
	if r.code != 0 {
		t.Fatalf("second release: exit %d\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 40))
	}
	if !strings.Contains(r.stderr, "tornado-box runs version aaaaaaaa (running)") || !strings.Contains(r.stderr, "remove tornado-box-previous") {
		t.Errorf("the swap did not replace the first release:\n%s", lastLines(r.stderr, 30))
	}
	if got := docker("ps", "--all", "--format", containers); got != "tornado-box onepipe.local/tornado:cccccccc running" {
		t.Errorf("after the second release the daemon runs:\n%s", got)
	}
	if code, body := get("/test"); code != 200 || body != "test gitlab_cicd api success" {
		t.Errorf("GET /test after the swap = %d %q", code, body)
	}

	// 5. a release that passes its checks but cannot take its ports (another
	// container holds one): the swap fails and the second release serves again
	docker("run", "--detach", "--name", "blocker", "--publish", "29999:8744", "onepipe.local/tornado:cccccccc")
	config = strings.Replace(config, fmt.Sprintf(`ports: ["%d:8744"]`, appPort), fmt.Sprintf(`ports: ["%d:8744", "29999:8744"]`, appPort), 1)
	writeFile(t, filepath.Join(app, "onepipe.yaml"), config)
	r = run(strings.Repeat("d", 40))
	if r.code != 1 {
		t.Fatalf("release without its ports: exit %d, want 1\nstdout:\n%s\nlast stderr lines:\n%s", r.code, r.stdout, lastLines(r.stderr, 40))
	}
	msg = lastLine(r.stderr)
	for _, want := range []string{`failed at "swap: stop tornado-box, start the new release as tornado-box"`, "removed the new release; tornado-box (version cccccccc) serves again", "port is already allocated"} {
		if !strings.Contains(msg, want) {
			t.Errorf("last line %q lacks %q", msg, want)
		}
	}
	if got := docker("ps", "--all", "--filter", "name=tornado-box", "--format", containers); got != "tornado-box onepipe.local/tornado:cccccccc running" {
		t.Errorf("after the failed swap the daemon runs:\n%s", got)
	}
	if code, body := get("/test"); code != 200 || body != "test gitlab_cicd api success" {
		t.Errorf("GET /test after the failed swap = %d %q", code, body)
	}
}

// freePorts returns n ports free on this machine's loopback.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}
