package pipeline

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/config"
)

func tornadoFiles(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "examples", "tornado")
}

// tornadoBox is the Tornado example with its box environment (a Docker host)
// changed by edit.
func tornadoBox(t *testing.T, edit func(c *config.Config, box *config.Docker, e *config.Environment)) config.Config {
	t.Helper()
	c, err := config.Load(tornadoFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Environments["box"]
	box := *e.Docker
	if edit != nil {
		edit(&c, &box, &e)
	}
	e.Docker = &box
	c.Environments["box"] = e
	return c
}

var boxSecrets = secretsFrom(map[string]string{"BOX_SSH_KEY": "-----BEGIN OPENSSH PRIVATE KEY-----", "BOX_KNOWN_HOSTS": "box.example.com ssh-ed25519 AAAA", "TOKEN": "t0k3n-value"})

func boxTarget(t *testing.T, c config.Config, image string) *dockerTarget {
	t.Helper()
	tg, err := NewTarget(TargetInput{Config: c, Env: "box", Files: os.DirFS(tornadoFiles(t)), Image: image, Version: "aaaaaaaa", Secret: boxSecrets})
	if err != nil {
		t.Fatal(err)
	}
	return tg.(*dockerTarget)
}

// TestDockerTargetPlansTheTornadoBox: the example's box environment deploys
// to its Docker host without a cluster, and the plan names every step.
func TestDockerTargetPlansTheTornadoBox(t *testing.T) {
	c := tornadoBox(t, nil)
	if TargetUsesCluster(c, "box") || TargetName(c, "box") != "docker" || TargetName(c, "dev") != "kubernetes" {
		t.Errorf("box: cluster %v, target %s; dev: target %s", TargetUsesCluster(c, "box"), TargetName(c, "box"), TargetName(c, "dev"))
	}
	got := strings.Join(boxTarget(t, c, LocalImageRef("tornado", "aaaaaaaa")).Plan(), "\n")
	want := `deploy: onepipe.local/tornado:aaaaaaaa to the Docker host ssh://deploy@box.example.com as container tornado-box (timeout 3m0s per wait)
  1. reach the daemon through ssh with the key of environments.box.docker.sshKey, the host key checked against its knownHosts (docker version)
  2. load the image pack built into the daemon (docker load) as onepipe.local/tornado:aaaaaaaa
  3. look up tornado-box, the release that serves now (and remove tornado-box-next left by an earlier deploy)
  4. start the new release as tornado-box-next beside it (restart no), port 8744 published on host port 20201 (checkPort)
  5. wait until tornado-box-next runs (healthy, if the image has a HEALTHCHECK), then run the smoke checks against it at box.example.com:20201: health, test endpoint
  6. swap: stop tornado-box and keep it as tornado-box-previous, start the new release as tornado-box (ports 20200:8744, restart unless-stopped), wait until it runs, remove tornado-box-previous
  on failure: remove tornado-box-next; the old release keeps serving (after a failed swap tornado-box-previous is started again as tornado-box)`
	if got != want {
		t.Errorf("plan\n got:\n%s\nwant:\n%s", got, want)
	}
}

func TestDockerTargetPlanVariants(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *config.Config, box *config.Docker, e *config.Environment)
		image string
		want  []string
		not   []string
	}{
		{"pushed image is pulled", nil, "127.0.0.1:5000/tornado:aaaaaaaa",
			[]string{"2. pull 127.0.0.1:5000/tornado:aaaaaaaa (by the digest publish reports) onto the host"}, []string{"docker load"}},
		{"loopback tcp", func(_ *config.Config, b *config.Docker, _ *config.Environment) {
			*b = config.Docker{Host: "tcp://127.0.0.1:2375", Ports: []string{"20200:8744"}}
		}, "", []string{"reach the daemon through this machine's loopback, through the engine's host tunnel", "port 8744 published on a host port Docker picks", "against it at 127.0.0.1:PORT"}, nil},
		{"tls", func(_ *config.Config, b *config.Docker, _ *config.Environment) {
			*b = config.Docker{Host: "tcp://box:2376", TLS: config.DockerTLS{CA: "env:TOKEN", Cert: "env:TOKEN", Key: "env:TOKEN"}}
		}, "", []string{"TLS with the client certificate of environments.box.docker.tls", "(no published ports, restart unless-stopped)"}, nil},
		{"unix, named, vars and secrets", func(_ *config.Config, b *config.Docker, e *config.Environment) {
			*b = config.Docker{Host: "unix:///var/run/docker.sock", Name: "web", Restart: "always"}
			e.Vars = map[string]string{"MODE": "box"}
			e.Secrets = map[string]string{"API_TOKEN": "env:TOKEN"}
		}, "", []string{"as container web ", "its socket on this machine, through the engine", "start the new release as web-next beside it (restart no), vars MODE, secrets API_TOKEN,", "restart always"}, []string{"t0k3n-value"}},
		{"no smoke checks", func(c *config.Config, _ *config.Docker, _ *config.Environment) { c.Deploy.Smoke = nil }, "",
			[]string{"5. wait until tornado-box-next runs (healthy, if the image has a HEALTHCHECK) and keeps running for 3s (no smoke checks in deploy.smoke)"}, []string{"published on"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			image := tt.image
			if image == "" {
				image = LocalImageRef("tornado", "aaaaaaaa")
			}
			got := strings.Join(boxTarget(t, tornadoBox(t, tt.edit), image).Plan(), "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("plan lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("plan has %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestDockerTargetRefusesBadInput: each bad input fails when the target is
// made, in one line that names the setting.
func TestDockerTargetRefusesBadInput(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(c *config.Config, box *config.Docker, e *config.Environment)
		secrets map[string]string
		want    string
	}{
		{"ssh key not set", nil, map[string]string{"BOX_KNOWN_HOSTS": "x"}, "secret env:BOX_SSH_KEY is not set"},
		{"secret the CLI reads", func(_ *config.Config, _ *config.Docker, e *config.Environment) {
			e.Secrets = map[string]string{"DOCKER_HOST": "env:BOX_SSH_KEY"}
		}, nil, "environments.box.secrets.DOCKER_HOST: the docker CLI that starts the container reads DOCKER_HOST itself: give the secret another name"},
		{"bad settings", func(_ *config.Config, b *config.Docker, _ *config.Environment) { b.Host = "box:2375" }, nil,
			`environments.box.docker.host "box:2375": use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock`},
		{"bad timeout", func(c *config.Config, _ *config.Docker, _ *config.Environment) { c.Deploy.Timeout = "soon" }, nil, `deploy.timeout "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := boxSecrets
			if tt.secrets != nil {
				secret = secretsFrom(tt.secrets)
			}
			_, err := NewTarget(TargetInput{Config: tornadoBox(t, tt.edit), Env: "box", Image: "onepipe.local/tornado:a", Version: "a", Secret: secret})
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("NewTarget() error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDockerRunArgs(t *testing.T) {
	r := dockerRun{
		Name: "tornado-box", Image: "onepipe.local/tornado:aaaaaaaa", Restart: "unless-stopped",
		Labels:  map[string]string{"org.onepipe.version": "aaaaaaaa", "org.onepipe.app": "tornado"},
		Vars:    map[string]string{"MODE": "box", "A": "1 2"},
		Secrets: []string{"TOKEN", "API_KEY"},
		Publish: []string{"20200:8744", "127.0.0.1:9000:9000/udp"},
	}
	want := []string{"docker", "run", "--detach", "--name", "tornado-box", "--restart", "unless-stopped",
		"--label", "org.onepipe.app=tornado", "--label", "org.onepipe.version=aaaaaaaa",
		"--env", "A=1 2", "--env", "MODE=box", "--env", "API_KEY", "--env", "TOKEN",
		"--publish", "20200:8744", "--publish", "127.0.0.1:9000:9000/udp", "onepipe.local/tornado:aaaaaaaa"}
	if got := r.Args(); !slices.Equal(got, want) {
		t.Errorf("Args()\n got %q\nwant %q", got, want)
	}
	if !slices.Equal(r.Secrets, []string{"TOKEN", "API_KEY"}) {
		t.Errorf("Args sorted the caller's slice: %v", r.Secrets)
	}
}

func TestParseDockerPs(t *testing.T) {
	out := "tornado-box\tabc\tonepipe.local/tornado:aaaaaaaa\trunning\taaaaaaaa\n" +
		"tornado-box-next\tdef\tsha256:123\texited\tbbbbbbbb\n" +
		"tornado-box-2\tzzz\tother\trunning\t\n" +
		"tornado-box-previous\tghi\tshop:1\tcreated\n"
	got := parseDockerPs(out, "tornado-box", "tornado-box-next", "tornado-box-previous")
	if len(got) != 3 || got["tornado-box"].Version != "aaaaaaaa" || !got["tornado-box"].Running() || got["tornado-box-next"].Running() ||
		got["tornado-box-previous"].What() != "image shop:1" || got["tornado-box"].What() != "version aaaaaaaa" {
		t.Errorf("parseDockerPs = %+v", got)
	}
	if got := parseDockerPs("", "x"); len(got) != 0 {
		t.Errorf("no containers: %+v", got)
	}
}

func TestDockerStateReady(t *testing.T) {
	tests := []struct {
		out  string
		done bool
		err  string
	}{
		{"running\t\t0", true, ""},
		{"running\thealthy\t0", true, ""},
		{"running\tstarting\t0", false, ""},
		{"created\t\t0", false, ""},
		{"restarting\t\t1", false, ""},
		{"running\tunhealthy\t0", false, "its HEALTHCHECK says unhealthy"},
		{"exited\t\t3", false, "the container exited with code 3"},
		{"dead\tunhealthy\t137", false, "the container exited with code 137"},
	}
	for _, tt := range tests {
		s, err := parseDockerState(tt.out + "\n")
		if err != nil {
			t.Fatalf("parseDockerState(%q): %v", tt.out, err)
		}
		done, err := s.ready()
		if done != tt.done || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("%q: ready() = %v, %v; want %v, %q", tt.out, done, err, tt.done, tt.err)
		}
	}
	for _, bad := range []string{"", "running", "running\t\tx"} {
		if _, err := parseDockerState(bad); err == nil {
			t.Errorf("parseDockerState(%q) accepted", bad)
		}
	}
}

func TestParseDockerOutputs(t *testing.T) {
	if v, p, err := parseDockerVersion("20.10.24+dfsg1 linux/amd64\n"); v != "20.10.24+dfsg1" || p != "linux/amd64" || err != nil {
		t.Errorf("parseDockerVersion = %q %q %v", v, p, err)
	}
	if _, _, err := parseDockerVersion("Cannot connect"); err == nil {
		t.Error("parseDockerVersion accepted garbage")
	}
	for out, want := range map[string]string{
		"Loaded image ID: sha256:27d55287b048\n": "sha256:27d55287b048",
		"Loaded image: shop:1\n":                 "shop:1",
	} {
		if got, err := parseLoadedImage(out); got != want || err != nil {
			t.Errorf("parseLoadedImage(%q) = %q, %v", out, got, err)
		}
	}
	if _, err := parseLoadedImage("open /onepipe/image.tar: no such file"); err == nil {
		t.Error("parseLoadedImage accepted no image")
	}
	for out, want := range map[string]int{"0.0.0.0:49153\n[::]:49153\n": 49153, ":::20201\n": 20201, "127.0.0.1:8080": 8080} {
		if got, err := parseDockerPort(out); got != want || err != nil {
			t.Errorf("parseDockerPort(%q) = %d, %v", out, got, err)
		}
	}
	if _, err := parseDockerPort("Error: No public port '8744/tcp' published for x"); err == nil {
		t.Error("parseDockerPort accepted no port")
	}
}

func TestDockerTargetAddress(t *testing.T) {
	tests := []struct {
		host  string
		ports []string
		want  string
		note  string
	}{
		{"ssh://deploy@box.example.com", []string{"20200:8744"}, "http://box.example.com:20200", ""},
		{"tcp://127.0.0.1:2375", []string{"9000:9000", "20200:8744"}, "http://127.0.0.1:20200", ""},
		{"unix:///var/run/docker.sock", []string{"20200:8744"}, "http://127.0.0.1:20200", ""},
		{"tcp://[2001:db8::1]:2376", []string{"80:8744"}, "http://[2001:db8::1]:80", ""},
		{"tcp://box:2375", []string{"10.0.0.5:80:8744"}, "http://10.0.0.5:80", ""},
		{"tcp://box:2375", []string{"0.0.0.0:80:8744"}, "http://box:80", ""},
		{"tcp://box:2375", []string{"80:8744/udp"}, "", "docker.ports publishes no host port for port 8744"},
		{"tcp://box:2375", nil, "", "docker.ports publishes no host port for port 8744"},
	}
	for _, tt := range tests {
		c := tornadoBox(t, func(_ *config.Config, b *config.Docker, _ *config.Environment) {
			*b = config.Docker{Host: tt.host, Ports: tt.ports}
			if strings.HasPrefix(tt.host, "ssh:") {
				b.SSHKey, b.KnownHosts = "env:BOX_SSH_KEY", "env:BOX_KNOWN_HOSTS"
			}
		})
		got, note := boxTarget(t, c, "onepipe.local/tornado:aaaaaaaa").appAddress()
		if got != tt.want || note != tt.note {
			t.Errorf("%s %v: address %q (%q), want %q (%q)", tt.host, tt.ports, got, note, tt.want, tt.note)
		}
	}
}

// TestDockerTargetSaysWhatServesAfterAFailure: the rollback's message names
// the release that serves, in the three cases the swap had not begun.
func TestDockerTargetSaysWhatServesAfterAFailure(t *testing.T) {
	tg := boxTarget(t, tornadoBox(t, nil), "onepipe.local/tornado:bbbbbbbb")
	running := &dockerContainer{Name: "tornado-box", State: "running", Version: "aaaaaaaa"}
	for _, tt := range []struct {
		looked, removed bool
		before          *dockerContainer
		want            string
	}{
		{false, false, nil, "no container was changed"}, // the host did not answer, or the image did not load
		{true, true, nil, "removed the new release; no release ran as tornado-box before"},
		{true, true, running, "removed the new release; tornado-box (version aaaaaaaa) still serves"},
		{true, false, running, "tornado-box (version aaaaaaaa) still serves"}, // docker run created nothing
		{true, true, &dockerContainer{Name: "tornado-box", State: "exited", Image: "tornado:old"}, "removed the new release; tornado-box (image tornado:old) is left as it was (exited)"},
	} {
		tg.looked, tg.before = tt.looked, tt.before
		if got := tg.kept(tt.removed); got != tt.want {
			t.Errorf("kept(%v) = %q, want %q", tt.removed, got, tt.want)
		}
	}
}

func TestDockerRegistryAuth(t *testing.T) {
	for host, key := range map[string]string{"registry.gitlab.com": "registry.gitlab.com", "docker.io": "https://index.docker.io/v1/"} {
		s, err := dockerRegistryAuth(host, "ci", "p:ss")
		if err != nil {
			t.Fatal(err)
		}
		var f dockerConfigFile
		if err := json.Unmarshal([]byte(s), &f); err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(f.Auths[key].Auth)
		if string(raw) != "ci:p:ss" || len(f.Auths) != 1 {
			t.Errorf("%s: config.json %s", host, s)
		}
	}
}
