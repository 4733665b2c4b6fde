package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/config"
)

// dockerTarget runs the app as one container on a Docker host
// (environments.ENV.docker), without a cluster: it pulls the pushed image
// onto the host, or loads the image pack built when nothing was pushed;
// starts the new release as NAME-next beside the one serving and waits for
// its health check and smoke checks; then swaps: stops the old container,
// keeps it as NAME-previous, starts the new release as NAME on the real
// ports, and removes the old one once the new one runs. A failure before the
// swap leaves the old container serving untouched; a failure during it
// starts the old one again.
type dockerTarget struct {
	access  dockerAccess
	names   dockerNames
	image   string // as planned: the repository:tag to push, or the local name to load as
	loads   bool   // nothing is pushed: the image pack built is loaded into the daemon
	version string
	port    int // the app's port in the container (deploy.port)
	ports   []config.DockerPort
	restart string
	check   int // the host port the new release is checked on (0: Docker picks)
	labels  map[string]string
	vars    map[string]string
	secrets map[string]string // by variable name; never printed
	smoke   []config.SmokeCheck
	timeout time.Duration

	// what a Deploy did, for Rollback and Address
	cli     *dockerClient
	log     io.Writer
	step    string           // the step that failed
	before  *dockerContainer // what served before (nil: nothing)
	started []string         // containers this deploy created and has not removed
	looked  bool             // before is known
	stopped bool             // before was stopped for the swap
	swapped bool             // before is kept as names.previous
	address string
}

// dockerSettle is how long a new container without a HEALTHCHECK or smoke
// checks must keep running to count as started.
var dockerSettle = 3 * time.Second

// dockerPoll paces the waits for a container's state.
var dockerPoll = time.Second

// reservedDockerVar says whether the docker CLI reads variable name itself,
// so that an app secret of that name cannot be handed over through its
// environment.
func reservedDockerVar(name string) bool {
	return strings.HasPrefix(name, "DOCKER_") || name == "PATH" || name == "HOME" || name == "ONEPIPE_CALL"
}

func newDockerTarget(in TargetInput) (Target, error) {
	e, err := in.Config.Environment(in.Env)
	if err != nil {
		return nil, err
	}
	s := e.Docker
	if err := s.Validate(in.Env); err != nil {
		return nil, err
	}
	d := in.Config.Deploy.WithDefaults()
	timeout, err := d.TimeoutDuration()
	if err != nil {
		return nil, err
	}
	field := "environments." + in.Env + ".docker"
	daemon, _ := config.ParseDockerHost(field+".host", s.Host) // checked by Validate
	t := &dockerTarget{
		access:  dockerAccess{env: in.Env, host: s.Host, daemon: daemon},
		names:   newDockerNames(s.Name),
		image:   in.Image,
		loads:   in.Image == LocalImageRef(in.Config.App, in.Version),
		version: in.Version,
		port:    d.Port,
		restart: s.RestartPolicy(),
		check:   s.CheckPort,
		labels: map[string]string{
			dockerLabelApp: in.Config.App, dockerLabelEnvironment: in.Env, dockerLabelVersion: in.Version,
		},
		vars:    e.Vars,
		secrets: map[string]string{},
		smoke:   d.Smoke,
		timeout: timeout,
	}
	if s.Name == "" {
		t.names = newDockerNames(in.Config.App + "-" + in.Env)
	}
	for _, p := range s.Ports {
		dp, _ := config.ParseDockerPort(p) // checked by Validate
		t.ports = append(t.ports, dp)
	}
	for _, name := range slices.Sorted(maps.Keys(e.Secrets)) {
		if reservedDockerVar(name) {
			return nil, fmt.Errorf("environments.%s.secrets.%s: the docker CLI that starts the container reads %s itself: give the secret another name", in.Env, name, name)
		}
		if t.secrets[name], err = in.Secret(fmt.Sprintf("environments.%s.secrets.%s", in.Env, name), e.Secrets[name]); err != nil {
			return nil, err
		}
	}
	if s.TLS != (config.DockerTLS{}) {
		t.access.tls = map[string]string{}
		for _, f := range []struct{ file, name, ref string }{{"ca.pem", "ca", s.TLS.CA}, {"cert.pem", "cert", s.TLS.Cert}, {"key.pem", "key", s.TLS.Key}} {
			if t.access.tls[f.file], err = in.Secret(field+".tls."+f.name, f.ref); err != nil {
				return nil, err
			}
		}
	}
	if s.SSHKey != "" {
		if t.access.sshKey, err = in.Secret(field+".sshKey", s.SSHKey); err != nil {
			return nil, err
		}
		if t.access.knownHosts, err = in.Secret(field+".knownHosts", s.KnownHosts); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Plan describes the deploy: the host, the image and every docker step.
func (t *dockerTarget) Plan() []string {
	n := t.names
	get := "pull " + t.image + " (by the digest publish reports) onto the host"
	if t.loads {
		get = "load the image pack built into the daemon (docker load) as " + t.image
	}
	start := fmt.Sprintf("start the new release as %s beside it (restart no)", n.next)
	if env := t.envLine(); env != "" {
		start += ", " + env
	}
	var wait string
	if len(t.smoke) > 0 {
		on, at := "a host port Docker picks", "PORT"
		if t.check != 0 {
			on, at = fmt.Sprintf("host port %d (checkPort)", t.check), strconv.Itoa(t.check)
		}
		start += fmt.Sprintf(", port %d published on %s", t.port, on)
		names := make([]string, len(t.smoke))
		for i, c := range t.smoke {
			names[i] = c.Name
			if names[i] == "" {
				names[i] = c.Path
			}
		}
		wait = fmt.Sprintf("wait until %s runs (healthy, if the image has a HEALTHCHECK), then run the smoke checks against it at %s:%s: %s",
			n.next, t.access.appHost(), at, strings.Join(names, ", "))
	} else {
		wait = fmt.Sprintf("wait until %s runs (healthy, if the image has a HEALTHCHECK) and keeps running for %s (no smoke checks in deploy.smoke)", n.next, dockerSettle)
	}
	published := "no published ports"
	if len(t.ports) > 0 {
		ps := make([]string, len(t.ports))
		for i, p := range t.ports {
			ps[i] = p.String()
		}
		published = "ports " + strings.Join(ps, ", ")
	}
	steps := []string{
		fmt.Sprintf("reach the daemon through %s (docker version)", t.access.describe()),
		get,
		fmt.Sprintf("look up %s, the release that serves now (and remove %s left by an earlier deploy)", n.current, n.next),
		start,
		wait,
		fmt.Sprintf("swap: stop %s and keep it as %s, start the new release as %s (%s, restart %s), wait until it runs, remove %s",
			n.current, n.previous, n.current, published, t.restart, n.previous),
	}
	out := []string{fmt.Sprintf("deploy: %s to the Docker host %s as container %s (timeout %s per wait)", t.image, t.access.host, n.current, t.timeout)}
	for i, s := range steps {
		out = append(out, fmt.Sprintf("  %d. %s", i+1, s))
	}
	return append(out, fmt.Sprintf("  on failure: remove %s; the old release keeps serving (after a failed swap %s is started again as %s)", n.next, n.previous, n.current))
}

// envLine lists the container's variables by name, for the plan.
func (t *dockerTarget) envLine() string {
	var parts []string
	if len(t.vars) > 0 {
		parts = append(parts, "vars "+strings.Join(slices.Sorted(maps.Keys(t.vars)), ", "))
	}
	if len(t.secrets) > 0 {
		parts = append(parts, "secrets "+strings.Join(slices.Sorted(maps.Keys(t.secrets)), ", "))
	}
	return strings.Join(parts, ", ")
}

// appAddress is where the app's port answers once the release serves.
func (t *dockerTarget) appAddress() (string, string) {
	for _, p := range t.ports {
		if p.Container != t.port || p.Proto != "tcp" {
			continue
		}
		host := t.access.appHost()
		if p.IP != "" && p.IP != "0.0.0.0" && p.IP != "::" {
			host = p.IP
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
		}
		return fmt.Sprintf("http://%s:%d", host, p.Host), ""
	}
	return "", fmt.Sprintf("docker.ports publishes no host port for port %d", t.port)
}

func (t *dockerTarget) Address() string { return t.address }

// do runs one step: it is recorded as the step that failed when it fails.
func (t *dockerTarget) do(desc string, f func() error) error {
	t.step = desc
	fmt.Fprintf(t.log, "deploy: %s\n", desc)
	return f()
}

// Deploy reaches the daemon, gets the image onto it, checks the new release
// beside the old one and swaps them.
func (t *dockerTarget) Deploy(ctx context.Context, to Destination) (Deployed, error) {
	t.log = to.log()
	image := t.image
	if to.Image != "" {
		image = to.Image
	} else if to.Pipeline == nil {
		return Deployed{}, errors.New("deploy: no image to load onto the Docker host: nothing was pushed and no image was built")
	}
	cli, err := t.access.client(ctx, to.Dag, t.secrets, to.Registry)
	if err != nil {
		return Deployed{}, err
	}
	t.cli = cli
	var platform string
	err = t.do("reach the Docker host "+t.access.host, func() error {
		out, err := cli.exec(ctx, t.timeout, dockerVersionArgs())
		if err != nil {
			return fmt.Errorf("the Docker host %s is not reachable: %w", t.access.host, err)
		}
		var version string
		if version, platform, err = parseDockerVersion(out); err == nil {
			fmt.Fprintf(t.log, "  Docker %s on %s\n", version, platform)
		}
		return err
	})
	if err != nil {
		return Deployed{}, err
	}
	if to.Image != "" {
		err = t.do("pull "+image, func() error { _, err := cli.exec(ctx, t.timeout, []string{"docker", "pull", image}); return err })
	} else {
		err = t.do("load the image into the daemon as "+image, func() error { return t.load(ctx, to.Pipeline, platform, image) })
	}
	if err != nil {
		return Deployed{}, err
	}
	if err := t.do("look up "+t.names.current, func() error { return t.lookUp(ctx) }); err != nil {
		return Deployed{}, err
	}

	next := dockerRun{Name: t.names.next, Image: image, Restart: "no", Labels: t.labels, Vars: t.vars, Secrets: slices.Collect(maps.Keys(t.secrets))}
	if len(t.smoke) > 0 {
		p := strconv.Itoa(t.port)
		if t.check != 0 {
			p = fmt.Sprintf("%d:%d", t.check, t.port)
		}
		next.Publish = []string{p}
	}
	if err := t.do("start "+t.names.next+" beside the release that serves", func() error { return t.start(ctx, next) }); err != nil {
		return Deployed{}, err
	}
	var d Deployed
	settle := dockerSettle
	if len(t.smoke) > 0 {
		settle = 0
	}
	if err := t.do("wait until "+t.names.next+" runs", func() error { return t.waitReady(ctx, t.names.next, settle) }); err != nil {
		return d, err
	}
	if len(t.smoke) > 0 {
		err := t.do("run the smoke checks against "+t.names.next, func() error {
			var err error
			d.Smoke, err = t.runSmoke(ctx)
			return err
		})
		if err != nil {
			return d, err
		}
	}
	if err := t.swap(ctx, image); err != nil {
		return d, err
	}
	d.Address, d.Note = t.appAddress()
	t.address = d.AddressLine()
	d.Summary = fmt.Sprintf("%s to the Docker host %s as %s", image, t.access.host, t.names.current)
	if len(d.Smoke) > 0 {
		d.Summary += fmt.Sprintf(", %d smoke checks passed", len(d.Smoke))
	}
	return d, nil
}
