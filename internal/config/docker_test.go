package config

import (
	"strings"
	"testing"
)

func TestParseDockerHost(t *testing.T) {
	tests := []struct {
		in       string
		want     DockerDaemon
		loopback bool
		err      string
	}{
		{in: "ssh://deploy@box.example.com", want: DockerDaemon{Scheme: "ssh", User: "deploy", Host: "box.example.com"}},
		{in: "ssh://box.example.com:2222", want: DockerDaemon{Scheme: "ssh", Host: "box.example.com", Port: "2222"}},
		{in: "tcp://docker.example.com:2376", want: DockerDaemon{Scheme: "tcp", Host: "docker.example.com", Port: "2376"}},
		{in: "tcp://127.0.0.1:2375", want: DockerDaemon{Scheme: "tcp", Host: "127.0.0.1", Port: "2375"}, loopback: true},
		{in: "tcp://localhost:2375", want: DockerDaemon{Scheme: "tcp", Host: "localhost", Port: "2375"}, loopback: true},
		{in: "tcp://[::1]:2375", want: DockerDaemon{Scheme: "tcp", Host: "::1", Port: "2375"}, loopback: true},
		{in: "unix:///var/run/docker.sock", want: DockerDaemon{Scheme: "unix", Path: "/var/run/docker.sock"}},
		{in: "", err: `h "": use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock`},
		{in: "box.example.com", err: `h "box.example.com": use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock`},
		{in: "http://box:2375", err: `h "http://box:2375": use ssh://user@host`},
		{in: "tcp://box.example.com", err: `h "tcp://box.example.com": give the port, e.g. tcp://box.example.com:2376 (TLS) or :2375`},
		{in: "tcp://box:99999", err: `h "tcp://box:99999": use a port between 1 and 65535`},
		{in: "tcp://me@box:2376", err: "tcp:// takes no user"},
		{in: "ssh://deploy:hunter2@box", err: `put no password in the host: give the private key in sshKey`},
		{in: "ssh://box/some/path", err: "drop the path after the host"},
		{in: "tcp://box:2376?x=1", err: "drop the ?query"},
		{in: "unix://var/run/docker.sock", err: "write the socket's absolute path after unix://"},
		{in: "ssh://", err: "name the host, e.g. ssh://docker.example.com"},
	}
	for _, tt := range tests {
		got, err := ParseDockerHost("h", tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseDockerHost(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") && !strings.Contains(tt.in, "hunter2") {
				t.Errorf("error shows a password: %v", err)
			}
			continue
		}
		if err != nil || got != tt.want || got.Loopback() != tt.loopback {
			t.Errorf("ParseDockerHost(%q) = %+v (loopback %v), %v; want %+v (loopback %v)", tt.in, got, got.Loopback(), err, tt.want, tt.loopback)
		}
	}
}

func TestParseDockerPort(t *testing.T) {
	tests := []struct {
		in   string
		want DockerPort
		str  string
		err  string
	}{
		{in: "20200:8744", want: DockerPort{Host: 20200, Container: 8744, Proto: "tcp"}, str: "20200:8744"},
		{in: "127.0.0.1:20200:8744", want: DockerPort{IP: "127.0.0.1", Host: 20200, Container: 8744, Proto: "tcp"}, str: "127.0.0.1:20200:8744"},
		{in: "[::1]:80:8000/tcp", want: DockerPort{IP: "::1", Host: 80, Container: 8000, Proto: "tcp"}, str: "[::1]:80:8000"},
		{in: "5353:53/udp", want: DockerPort{Host: 5353, Container: 53, Proto: "udp"}, str: "5353:53/udp"},
		{in: "8744", err: `"8744": write HOST:CONTAINER or IP:HOST:CONTAINER`},
		{in: "0:8744", err: "write HOST:CONTAINER"},
		{in: "20200:70000", err: "write HOST:CONTAINER"},
		{in: "20200:8744/sctp", err: `"20200:8744/sctp": the protocol is tcp or udp`},
		{in: "box:20200:8744", err: `"box" is not an IP address`},
		{in: "20200-20210:8744", err: "write HOST:CONTAINER"},
		{in: "+80:8000", err: "write HOST:CONTAINER"},
	}
	for _, tt := range tests {
		got, err := ParseDockerPort(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseDockerPort(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want || got.String() != tt.str {
			t.Errorf("ParseDockerPort(%q) = %+v (%s), %v; want %+v (%s)", tt.in, got, got.String(), err, tt.want, tt.str)
		}
	}
}

// FuzzParseDockerPort: whatever ParseDockerPort accepts prints back as a
// port it accepts again, unchanged.
func FuzzParseDockerPort(f *testing.F) {
	for _, s := range []string{"20200:8744", "127.0.0.1:1:2/udp", "[::1]:80:80", "a:b:c", ":::", "1:2/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseDockerPort(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			return
		}
		again, err := ParseDockerPort(p.String())
		if err != nil || again != p {
			t.Errorf("%q → %+v → %q → %+v, %v", s, p, p.String(), again, err)
		}
	})
}

func TestDockerValidate(t *testing.T) {
	ssh := func(d Docker) *Docker {
		d.Host, d.SSHKey, d.KnownHosts = "ssh://deploy@box", "env:KEY", "file:known_hosts"
		return &d
	}
	tls := DockerTLS{CA: "file:ca.pem", Cert: "env:CERT", Key: "env:KEY"}
	tests := []struct {
		name string
		d    *Docker
		want string
	}{
		{"none", nil, ""},
		{"ssh", ssh(Docker{Ports: []string{"20200:8744"}, CheckPort: 20201, Restart: "always", Name: "tornado_1"}), ""},
		{"tcp tls", &Docker{Host: "tcp://box:2376", TLS: tls}, ""},
		{"tcp plain", &Docker{Host: "tcp://box:2375"}, ""},
		{"unix", &Docker{Host: "unix:///var/run/docker.sock", Restart: "on-failure:5"}, ""},
		{"no host", &Docker{}, `environments.box.docker.host "": use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock`},
		{"name", &Docker{Host: "tcp://box:2375", Name: "-x"}, `environments.box.docker.name "-x": use letters, digits, _, . and -, starting with a letter or digit`},
		{"restart", &Docker{Host: "tcp://box:2375", Restart: "sometimes"}, `environments.box.docker.restart "sometimes": use no, always, unless-stopped or on-failure[:N]`},
		{"port", &Docker{Host: "tcp://box:2375", Ports: []string{"20200:8744", "80"}}, `environments.box.docker.ports[1] "80": write HOST:CONTAINER or IP:HOST:CONTAINER, e.g. "20200:8744" or "127.0.0.1:20200:8744/tcp"`},
		{"port twice", &Docker{Host: "tcp://box:2375", Ports: []string{"80:8000", "80:8001"}}, `environments.box.docker.ports[1] "80:8001": host port 80 is published twice`},
		{"check port taken", &Docker{Host: "tcp://box:2375", Ports: []string{"20200:8744"}, CheckPort: 20200}, "environments.box.docker.checkPort 20200: the old release holds it (ports[0]): pick a free port for the new one's checks"},
		{"check port range", &Docker{Host: "tcp://box:2375", CheckPort: 70000}, "environments.box.docker.checkPort 70000: use a port between 1 and 65535, or leave it out for one Docker picks"},
		{"tls on ssh", &Docker{Host: "ssh://box", SSHKey: "env:K", KnownHosts: "env:H", TLS: tls}, "environments.box.docker.tls: client certificates are for tcp:// daemons: drop tls, or use tcp://host:2376"},
		{"tls part", &Docker{Host: "tcp://box:2376", TLS: DockerTLS{CA: "file:ca.pem"}}, "environments.box.docker.tls.cert is missing: give ca, cert and key, each as env:NAME or file:PATH"},
		{"tls value", &Docker{Host: "tcp://box:2376", TLS: DockerTLS{CA: "file:ca.pem", Cert: "file:c", Key: "-----BEGIN KEY-----"}}, "environments.box.docker.tls.key must be a secret reference: use env:NAME or file:PATH, never the secret itself"},
		{"tls loopback", &Docker{Host: "tcp://127.0.0.1:2376", TLS: tls}, "environments.box.docker.tls: a daemon on this machine's loopback is reached through the engine's host tunnel"},
		{"ssh key missing", &Docker{Host: "ssh://box", KnownHosts: "env:H"}, "environments.box.docker.sshKey is missing: an ssh:// host needs the private key onepipe logs in with, e.g. env:DEPLOY_SSH_KEY"},
		{"known hosts missing", &Docker{Host: "ssh://deploy@box", SSHKey: "env:K"}, "environments.box.docker.knownHosts is missing: give the host's key lines (ssh-keyscan box > known_hosts; then file:known_hosts): onepipe never trusts an unknown host key"},
		{"ssh key value", &Docker{Host: "ssh://box", SSHKey: "-----BEGIN OPENSSH PRIVATE KEY-----", KnownHosts: "env:H"}, "environments.box.docker.sshKey must be a secret reference"},
		{"ssh key on tcp", &Docker{Host: "tcp://box:2375", SSHKey: "env:K"}, "environments.box.docker: sshKey and knownHosts are for ssh:// hosts: drop them, or use ssh://user@host"},
		{"ssh loopback", &Docker{Host: "ssh://localhost", SSHKey: "env:K", KnownHosts: "env:H"}, `environments.box.docker.host "ssh://localhost": ssh to this machine's loopback is not reached from the engine`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deployErrText(tt.d.Validate("box")); got != tt.want && (tt.want == "" || !strings.HasPrefix(got, tt.want)) {
				t.Errorf("Validate()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestParseDockerErrors: onepipe.yaml's docker settings fail with the line
// of the setting, and an environment that names a cluster too is refused.
func TestParseDockerErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"environments:\n  box:\n    docker:\n      host: tcp://box\n", `line 4: environments.box.docker.host "tcp://box": give the port, e.g. tcp://box:2376 (TLS) or :2375`},
		{"environments:\n  box:\n    docker:\n      host: tcp://box:2375\n      ports: [\"80\"]\n", `line 5: environments.box.docker.ports[0] "80": write HOST:CONTAINER`},
		{"environments:\n  box:\n    cluster: {provider: aks}\n    docker: {host: tcp://box:2375}\n", "line 2: environments.box: docker and cluster are both set: the environment runs on a Docker host or a Kubernetes cluster, drop one of them"},
		{"environments:\n  box:\n    docker:\n      hots: tcp://box:2375\n", `line 4: unknown field "hots"`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q)\n got %v\nwant %q", tt.yaml, err, tt.want)
		}
	}
}

// TestTornadoExampleConfig: the example's box environment runs on a Docker
// host, the way its team ran it by hand (docker run -p 20200:8744).
func TestTornadoExampleConfig(t *testing.T) {
	c, err := Load("../../examples/tornado")
	if err != nil {
		t.Fatal(err)
	}
	box := c.Environments["box"].Docker
	if box == nil {
		t.Fatal("environments.box.docker is not set")
	}
	if box.Host != "ssh://deploy@box.example.com" || strings.Join(box.Ports, ",") != "20200:8744" || box.CheckPort != 20201 || box.RestartPolicy() != "unless-stopped" {
		t.Errorf("box: %+v", box)
	}
	if c.Environments["dev"].Docker != nil || c.Deploy.Port != 8744 {
		t.Errorf("dev runs on the local cluster, deploy.port is 8744: %+v", c)
	}
}
