package config

import (
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/onepipe/onepipe/internal/secretref"
)

// Docker is a Docker Engine an environment's app runs on as one container,
// without a cluster (environments.ENV.docker). It sits in the environment,
// beside cluster, because it says where the environment runs: dev and prod
// are usually two hosts (or two ports on one), each with its credentials,
// and one app may run on the local cluster in dev and a Docker host in prod.
// The container gets the environment's vars and secrets; deploy.port is the
// port the app listens on inside it, deploy.smoke checks the new release
// before it replaces the old one, deploy.timeout bounds each wait.
type Docker struct {
	// Host is the Docker daemon: ssh://user@host[:port] (with sshKey and
	// knownHosts), tcp://host:2376 (with tls), tcp://host:2375 (no TLS) or
	// unix:///var/run/docker.sock (a daemon on the machine running onepipe).
	// A tcp:// daemon on this machine's loopback is reached through the
	// engine's host tunnel.
	Host string `json:"host"`
	// Name is the container's name (default <app>-<environment>). The new
	// release starts beside it as NAME-next; the old one is kept as
	// NAME-previous until the new one serves.
	Name string `json:"name,omitempty"`
	// Ports are published as `docker run -p` does: HOST:CONTAINER or
	// IP:HOST:CONTAINER, with an optional /tcp or /udp, e.g. "20200:8744".
	// Default: none.
	Ports []string `json:"ports,omitempty"`
	// Restart is the restart policy: no, always, unless-stopped (default) or
	// on-failure[:N].
	Restart string `json:"restart,omitempty"`
	// CheckPort is the host port the new release publishes deploy.port on
	// while the smoke checks run against it, beside the old one (default: a
	// port Docker picks). The smoke checks must reach it from the machine
	// running onepipe.
	CheckPort int `json:"checkPort,omitempty"`
	// TLS are the client certificate and CA of a tcp:// daemon that verifies
	// clients (dockerd --tlsverify).
	TLS DockerTLS `json:"tls,omitempty"`
	// SSHKey is a secret reference (env:NAME or file:PATH) to the private key
	// onepipe logs in to an ssh:// host with.
	SSHKey string `json:"sshKey,omitempty"`
	// KnownHosts is a reference (env:NAME or file:PATH) to the ssh:// host's
	// known_hosts lines (ssh-keyscan HOST): its key is checked, never trusted
	// on first use.
	KnownHosts string `json:"knownHosts,omitempty"`
}

// DockerTLS are secret references (env:NAME or file:PATH) to the PEM files a
// docker client presents to a daemon that verifies clients.
type DockerTLS struct {
	// CA is the certificate authority that signed the daemon's certificate.
	CA string `json:"ca,omitempty"`
	// Cert and Key are the client's certificate and private key.
	Cert string `json:"cert,omitempty"`
	Key  string `json:"key,omitempty"`
}

// DefaultDockerRestart is the restart policy of a container onepipe runs.
const DefaultDockerRestart = "unless-stopped"

// Docker daemon schemes.
const (
	DockerSSH  = "ssh"
	DockerTCP  = "tcp"
	DockerUnix = "unix"
)

// DockerDaemon is a parsed docker.host.
type DockerDaemon struct {
	// Scheme is ssh, tcp or unix.
	Scheme string
	// User is the ssh user ("" for the default).
	User string
	// Host is the host name or IP address (without brackets), Port its port
	// ("" for ssh's default); both empty for unix.
	Host, Port string
	// Path is the socket of a unix daemon.
	Path string
}

// Loopback says whether the daemon listens on this machine's loopback
// (localhost, 127.0.0.0/8, ::1).
func (d DockerDaemon) Loopback() bool {
	if d.Host == "localhost" {
		return true
	}
	ip := net.ParseIP(d.Host)
	return ip != nil && ip.IsLoopback()
}

// ParseDockerHost reads docker.host; field names it in errors.
func ParseDockerHost(field, s string) (DockerDaemon, error) {
	u, err := url.Parse(s)
	if err != nil || s == "" {
		return DockerDaemon{}, fmt.Errorf("%s %q: use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock", field, s)
	}
	bad := func(what string) (DockerDaemon, error) {
		return DockerDaemon{}, fmt.Errorf("%s %q: %s", field, s, what)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return bad("drop the ?query or #fragment")
	}
	switch u.Scheme {
	case DockerUnix:
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") {
			return bad("write the socket's absolute path after unix://, e.g. unix:///var/run/docker.sock")
		}
		return DockerDaemon{Scheme: DockerUnix, Path: u.Path}, nil
	case DockerTCP, DockerSSH:
		if u.Hostname() == "" {
			return bad("name the host, e.g. " + u.Scheme + "://docker.example.com")
		}
		if u.Path != "" && u.Path != "/" {
			return bad("drop the path after the host")
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return bad("use a port between 1 and 65535")
			}
		}
		d := DockerDaemon{Scheme: u.Scheme, Host: u.Hostname(), Port: u.Port()}
		if u.Scheme == DockerTCP {
			if u.User != nil {
				return bad("tcp:// takes no user: use ssh://user@host to log in, or tls for client certificates")
			}
			if d.Port == "" {
				return bad("give the port, e.g. tcp://" + d.Host + ":2376 (TLS) or :2375")
			}
			return d, nil
		}
		if u.User != nil {
			if _, hasPassword := u.User.Password(); hasPassword {
				return bad("put no password in the host: give the private key in sshKey")
			}
			d.User = u.User.Username()
		}
		return d, nil
	}
	return bad("use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock")
}

// DockerPort is one published port: docker run -p IP:HOST:CONTAINER/PROTO.
type DockerPort struct {
	// IP is the host address the port listens on ("" for all).
	IP string
	// Host and Container are the port numbers on the host and in the container.
	Host, Container int
	// Proto is tcp or udp.
	Proto string
}

// String is the port in docker run -p form.
func (p DockerPort) String() string {
	s := fmt.Sprintf("%d:%d", p.Host, p.Container)
	if p.IP != "" {
		ip := p.IP
		if strings.Contains(ip, ":") {
			ip = "[" + ip + "]"
		}
		s = ip + ":" + s
	}
	if p.Proto != "tcp" {
		s += "/" + p.Proto
	}
	return s
}

// ParseDockerPort reads one docker.ports entry.
func ParseDockerPort(s string) (DockerPort, error) {
	bad := fmt.Errorf("%q: write HOST:CONTAINER or IP:HOST:CONTAINER, e.g. \"20200:8744\" or \"127.0.0.1:20200:8744/tcp\"", s)
	p := DockerPort{Proto: "tcp"}
	rest := s
	if i := strings.LastIndex(rest, "/"); i >= 0 {
		p.Proto, rest = rest[i+1:], rest[:i]
		if p.Proto != "tcp" && p.Proto != "udp" {
			return DockerPort{}, fmt.Errorf("%q: the protocol is tcp or udp", s)
		}
	}
	i := strings.LastIndex(rest, ":")
	if i < 0 {
		return DockerPort{}, bad
	}
	c, rest := rest[i+1:], rest[:i]
	h := rest
	if j := strings.LastIndex(rest, ":"); j >= 0 {
		p.IP, h = rest[:j], rest[j+1:]
		if strings.HasPrefix(p.IP, "[") && strings.HasSuffix(p.IP, "]") {
			p.IP = p.IP[1 : len(p.IP)-1]
		}
		if net.ParseIP(p.IP) == nil {
			return DockerPort{}, fmt.Errorf("%q: %q is not an IP address (IPv6 goes in brackets: [::1]:20200:8744)", s, p.IP)
		}
	}
	var err error
	if p.Host, err = portNumber(h); err != nil {
		return DockerPort{}, bad
	}
	if p.Container, err = portNumber(c); err != nil {
		return DockerPort{}, bad
	}
	return p, nil
}

func portNumber(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 || s != strconv.Itoa(n) {
		return 0, fmt.Errorf("not a port")
	}
	return n, nil
}

var (
	dockerName    = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	dockerRestart = regexp.MustCompile(`^(no|always|unless-stopped|on-failure(:[1-9][0-9]{0,3})?)$`)
)

// RestartPolicy is Restart with its default applied.
func (d Docker) RestartPolicy() string {
	if d.Restart == "" {
		return DefaultDockerRestart
	}
	return d.Restart
}

// Validate checks environment env's docker settings, references included
// (not resolved).
func (d *Docker) Validate(env string) error {
	if d == nil {
		return nil
	}
	f := "environments." + env + ".docker"
	daemon, err := ParseDockerHost(f+".host", d.Host)
	if err != nil {
		return err
	}
	if d.Name != "" && (!dockerName.MatchString(d.Name) || len(d.Name) > 200) {
		return fmt.Errorf("%s.name %q: use letters, digits, _, . and -, starting with a letter or digit", f, d.Name)
	}
	if !dockerRestart.MatchString(d.RestartPolicy()) {
		return fmt.Errorf("%s.restart %q: use no, always, unless-stopped or on-failure[:N]", f, d.Restart)
	}
	if d.CheckPort < 0 || d.CheckPort > 65535 {
		return fmt.Errorf("%s.checkPort %d: use a port between 1 and 65535, or leave it out for one Docker picks", f, d.CheckPort)
	}
	hostPorts := map[string]bool{}
	for i, s := range d.Ports {
		p, err := ParseDockerPort(s)
		if err != nil {
			return fmt.Errorf("%s.ports[%d] %w", f, i, err)
		}
		key := fmt.Sprintf("%s/%d/%s", p.IP, p.Host, p.Proto)
		if hostPorts[key] {
			return fmt.Errorf("%s.ports[%d] %q: host port %d is published twice", f, i, s, p.Host)
		}
		hostPorts[key] = true
		if p.Host == d.CheckPort && p.Proto == "tcp" {
			return fmt.Errorf("%s.checkPort %d: the old release holds it (ports[%d]): pick a free port for the new one's checks", f, d.CheckPort, i)
		}
	}
	tls := d.TLS != DockerTLS{}
	if tls {
		if daemon.Scheme != DockerTCP {
			return fmt.Errorf("%s.tls: client certificates are for tcp:// daemons: drop tls, or use tcp://host:2376", f)
		}
		for _, r := range []struct{ name, ref string }{{"ca", d.TLS.CA}, {"cert", d.TLS.Cert}, {"key", d.TLS.Key}} {
			if r.ref == "" {
				return fmt.Errorf("%s.tls.%s is missing: give ca, cert and key, each as env:NAME or file:PATH", f, r.name)
			}
			if _, err := secretref.ParseFor(f+".tls."+r.name, r.ref); err != nil {
				return err
			}
		}
	}
	if daemon.Scheme != DockerSSH && (d.SSHKey != "" || d.KnownHosts != "") {
		return fmt.Errorf("%s: sshKey and knownHosts are for ssh:// hosts: drop them, or use ssh://user@host", f)
	}
	if daemon.Scheme == DockerSSH {
		if d.SSHKey == "" {
			return fmt.Errorf("%s.sshKey is missing: an ssh:// host needs the private key onepipe logs in with, e.g. env:DEPLOY_SSH_KEY", f)
		}
		if d.KnownHosts == "" {
			return fmt.Errorf("%s.knownHosts is missing: give the host's key lines (ssh-keyscan %s > known_hosts; then file:known_hosts): onepipe never trusts an unknown host key", f, daemon.Host)
		}
		if _, err := secretref.ParseFor(f+".sshKey", d.SSHKey); err != nil {
			return err
		}
		if _, err := secretref.ParseFor(f+".knownHosts", d.KnownHosts); err != nil {
			return err
		}
		if daemon.Loopback() {
			return fmt.Errorf("%s.host %q: ssh to this machine's loopback is not reached from the engine: use unix:///var/run/docker.sock or tcp://127.0.0.1:2375", f, d.Host)
		}
	}
	if tls && daemon.Loopback() {
		return fmt.Errorf("%s.tls: a daemon on this machine's loopback is reached through the engine's host tunnel under another name, which its certificate does not hold: drop tls for it, or reach it by a name the certificate holds", f)
	}
	return nil
}

// checkDocker checks environment name's docker settings and that it does
// not also name a cluster: an environment runs on one or the other.
func (e Environment) checkDocker(name string) error {
	if e.Docker == nil {
		return nil
	}
	if !reflect.ValueOf(e.Cluster).IsZero() {
		return fmt.Errorf("environments.%s: docker and cluster are both set: the environment runs on a Docker host or a Kubernetes cluster, drop one of them", name)
	}
	return e.Docker.Validate(name)
}
