package pipeline

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/imageref"
	"github.com/onepipe/onepipe/internal/versions"
)

// dockerHostAlias is the name a Docker daemon on this machine's loopback has
// for the docker CLI, which reaches it through the engine's host tunnel.
const dockerHostAlias = "onepipe-docker-host"

// Where the docker CLI container keeps what it is given.
const (
	dockerCertPath   = "/onepipe/docker-tls"
	dockerConfigPath = "/onepipe/docker-config"
	dockerSSHDir     = "/root/.ssh"
)

// dockerAccess is how the docker CLI reaches an environment's daemon: the
// resolved credentials, never printed.
type dockerAccess struct {
	env    string // the environment's name
	host   string // as written in onepipe.yaml
	daemon config.DockerDaemon
	// tls holds ca.pem, cert.pem and key.pem (nil: no client certificate).
	tls map[string]string
	// sshKey and knownHosts log in to an ssh:// host.
	sshKey, knownHosts string
}

// describe is how the plan says the daemon is reached.
func (a dockerAccess) describe() string {
	switch {
	case a.daemon.Scheme == config.DockerUnix:
		return "its socket on this machine, through the engine"
	case a.daemon.Loopback():
		return "this machine's loopback, through the engine's host tunnel"
	case a.tls != nil:
		return "TLS with the client certificate of environments." + a.env + ".docker.tls"
	case a.daemon.Scheme == config.DockerSSH:
		return "ssh with the key of environments." + a.env + ".docker.sshKey, the host key checked against its knownHosts"
	}
	return "plain TCP without TLS (whoever reaches that port controls the daemon: prefer tls or ssh://)"
}

// appHost is the host name the app's published ports answer on, from the
// machine running onepipe.
func (a dockerAccess) appHost() string {
	if a.daemon.Scheme == config.DockerUnix || a.daemon.Loopback() {
		return "127.0.0.1"
	}
	if strings.Contains(a.daemon.Host, ":") {
		return "[" + a.daemon.Host + "]"
	}
	return a.daemon.Host
}

// client is the docker CLI container set up to reach the daemon, with the
// app's secrets in its environment (docker run --env NAME reads them) and,
// when reg is given, the registry login the daemon pulls with.
func (a dockerAccess) client(ctx context.Context, dag *dagger.Client, secrets map[string]string, reg *Registry) (*dockerClient, error) {
	ctr := dag.Container().From(versions.DockerCLIImage).WithWorkdir("/onepipe")
	dockerHost := a.host
	switch a.daemon.Scheme {
	case config.DockerUnix:
		const sock = "/var/run/docker.sock"
		ctr, dockerHost = ctr.WithUnixSocket(sock, dag.Host().UnixSocket(a.daemon.Path)), "unix://"+sock
	case config.DockerTCP:
		if a.daemon.Loopback() {
			// a container cannot reach this machine's loopback: tunnel the port
			port, _ := strconv.Atoi(a.daemon.Port)
			svc := dag.Host().Service([]dagger.PortForward{{Backend: port, Frontend: port}}, dagger.HostServiceOpts{Host: a.daemon.Host})
			ctr, dockerHost = ctr.WithServiceBinding(dockerHostAlias, svc), "tcp://"+net.JoinHostPort(dockerHostAlias, a.daemon.Port)
		}
		if a.tls != nil {
			for _, f := range slices.Sorted(maps.Keys(a.tls)) {
				ctr = ctr.WithMountedSecret(dockerCertPath+"/"+f, NewSecret(dag, SecretDockerTLS, a.env+"-"+f, a.tls[f]))
			}
			ctr = ctr.WithEnvVariable("DOCKER_TLS_VERIFY", "1").WithEnvVariable("DOCKER_CERT_PATH", dockerCertPath)
		}
	case config.DockerSSH:
		ctr = ctr.
			WithMountedSecret(dockerSSHDir+"/onepipe_key", NewSecret(dag, SecretDockerSSHKey, a.env, withNewline(a.sshKey)), dagger.ContainerWithMountedSecretOpts{Mode: 0o600}).
			WithNewFile(dockerSSHDir+"/known_hosts", withNewline(a.knownHosts), dagger.ContainerWithNewFileOpts{Permissions: 0o644}).
			WithNewFile(dockerSSHDir+"/config", sshConfig, dagger.ContainerWithNewFileOpts{Permissions: 0o600})
	}
	for _, name := range slices.Sorted(maps.Keys(secrets)) {
		ctr = ctr.WithSecretVariable(name, NewSecret(dag, SecretAppVariable, a.env+"-"+name, secrets[name]))
	}
	if reg != nil && reg.Password != nil {
		pass, err := reg.Password.Plaintext(ctx)
		if err != nil {
			return nil, fmt.Errorf("registry login for the docker host: %w", Explain(err))
		}
		auth, err := dockerRegistryAuth(imageref.RegistryHost(reg.Repository), reg.Username, pass)
		if err != nil {
			return nil, err
		}
		ctr = ctr.
			WithMountedSecret(dockerConfigPath+"/config.json", NewSecret(dag, SecretDockerRegistryAuth, reg.Repository, auth)).
			WithEnvVariable("DOCKER_CONFIG", dockerConfigPath)
	}
	return &dockerClient{
		ctr: ctr.WithEnvVariable("DOCKER_HOST", dockerHost),
		run: strconv.FormatInt(time.Now().UnixNano(), 36),
	}, nil
}

// sshConfig makes ssh, which the docker CLI runs for ssh:// hosts, log in
// with the mounted key only, check the host key against known_hosts (never
// trusting a new one) and never prompt.
const sshConfig = `Host *
  IdentityFile /root/.ssh/onepipe_key
  IdentitiesOnly yes
  UserKnownHostsFile /root/.ssh/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 30
`

// withNewline ends s with a newline: ssh refuses a key file without one,
// and secret files lose theirs when read.
func withNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// dockerConfigFile is the part of the docker CLI's config.json that logs in
// to registries; the CLI hands the login to the daemon with each pull.
type dockerConfigFile struct {
	Auths map[string]dockerAuth `json:"auths"`
}

type dockerAuth struct {
	Auth string `json:"auth"`
}

// dockerRegistryAuth is a config.json that logs in to registry host.
func dockerRegistryAuth(host, user, password string) (string, error) {
	if host == "docker.io" {
		host = "https://index.docker.io/v1/" // the key the docker CLI looks Docker Hub up by
	}
	b, err := json.Marshal(dockerConfigFile{Auths: map[string]dockerAuth{
		host: {Auth: base64.StdEncoding.EncodeToString([]byte(user + ":" + password))},
	}})
	return string(b), err
}

// dockerClient runs docker commands against one daemon. Every command runs
// again each time: it talks to a live daemon, so no result may come from the
// engine's cache.
type dockerClient struct {
	ctr   *dagger.Container
	run   string
	calls atomic.Int64
}

// exec runs args within timeout and returns their stdout; a non-zero exit
// is a *CommandError carrying the last line of stderr.
func (c *dockerClient) exec(ctx context.Context, timeout time.Duration, args []string) (string, error) {
	return c.execIn(ctx, c.ctr, timeout, args)
}

// execIn is exec in ctr, a container derived from c's.
func (c *dockerClient) execIn(ctx context.Context, ctr *dagger.Container, timeout time.Duration, args []string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, out, err := execFresh(ctx, ctr, args, fmt.Sprintf("%s-%d", c.run, c.calls.Add(1)))
	if err != nil && ctx.Err() != nil && context.Cause(ctx) == context.DeadlineExceeded {
		return out, fmt.Errorf("`%s` did not finish within %s", strings.Join(args, " "), timeout)
	}
	return out, err
}

// output runs args and returns all they printed, stdout then stderr
// (docker logs prints the container's stderr on its own).
func (c *dockerClient) output(ctx context.Context, timeout time.Duration, args []string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done, out, err := execFresh(ctx, c.ctr, args, fmt.Sprintf("%s-%d", c.run, c.calls.Add(1)))
	if err != nil {
		return out, err
	}
	stderr, err := done.Stderr(ctx)
	return strings.TrimSpace(out + "\n" + stderr), Explain(err)
}
