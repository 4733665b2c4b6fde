package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The docker commands of the Docker host target as argv, and readers of
// their output: no Dagger here, so each is a table test away.

// Labels every container the Docker host target starts carries.
const (
	dockerLabelApp         = "org.onepipe.app"
	dockerLabelEnvironment = "org.onepipe.environment"
	dockerLabelVersion     = "org.onepipe.version"
)

// dockerNames are the containers of one swap: the release that serves
// (current), the new one checked beside it (next) and the old one kept
// until the new one serves (previous).
type dockerNames struct{ current, next, previous string }

func newDockerNames(name string) dockerNames {
	return dockerNames{current: name, next: name + "-next", previous: name + "-previous"}
}

// dockerVersionArgs asks the daemon for its version and platform.
func dockerVersionArgs() []string {
	return []string{"docker", "version", "--format", "{{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}"}
}

// parseDockerVersion reads dockerVersionArgs' output: "20.10.24 linux/amd64".
func parseDockerVersion(out string) (version, platform string, err error) {
	f := strings.Fields(out)
	if len(f) != 2 || !strings.Contains(f[1], "/") {
		return "", "", fmt.Errorf("docker version printed %q, not VERSION OS/ARCH", strings.TrimSpace(out))
	}
	return f[0], f[1], nil
}

// dockerContainer is one container as docker ps lists it.
type dockerContainer struct {
	Name, ID, Image, State string
	// Version is the onepipe release it runs ("" for one onepipe did not start).
	Version string
}

// Running says whether the container runs (and so serves).
func (c dockerContainer) Running() bool { return c.State == "running" || c.State == "restarting" }

// What describes the release the container runs: its version, else its image.
func (c dockerContainer) What() string {
	if c.Version != "" {
		return "version " + c.Version
	}
	return "image " + c.Image
}

const dockerPsFormat = `{{.Names}}	{{.ID}}	{{.Image}}	{{.State}}	{{.Label "` + dockerLabelVersion + `"}}`

// dockerPsArgs lists the containers whose name contains name (docker's
// filter matches parts of names; parseDockerPs keeps the exact ones).
func dockerPsArgs(name string) []string {
	return []string{"docker", "ps", "--all", "--no-trunc", "--filter", "name=" + name, "--format", dockerPsFormat}
}

// parseDockerPs reads dockerPsArgs' output into containers by name, keeping
// only the given names.
func parseDockerPs(out string, names ...string) map[string]dockerContainer {
	found := map[string]dockerContainer{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) < 4 || !slices.Contains(names, f[0]) {
			continue
		}
		c := dockerContainer{Name: f[0], ID: f[1], Image: f[2], State: f[3]}
		if len(f) > 4 {
			c.Version = f[4]
		}
		found[c.Name] = c
	}
	return found
}

// dockerRun is one docker run of the app's image.
type dockerRun struct {
	Name, Image string
	// Restart is the restart policy.
	Restart string
	// Labels, Vars (NAME=value in argv) and Secrets (by name only: the
	// docker CLI reads each value from its own environment).
	Labels, Vars map[string]string
	Secrets      []string
	// Publish are docker run -p values.
	Publish []string
}

// Args is the docker run argv, sorted for a stable command line.
func (r dockerRun) Args() []string {
	args := []string{"docker", "run", "--detach", "--name", r.Name, "--restart", r.Restart}
	for _, k := range slices.Sorted(maps.Keys(r.Labels)) {
		args = append(args, "--label", k+"="+r.Labels[k])
	}
	for _, k := range slices.Sorted(maps.Keys(r.Vars)) {
		args = append(args, "--env", k+"="+r.Vars[k])
	}
	secrets := slices.Clone(r.Secrets)
	slices.Sort(secrets)
	for _, k := range secrets {
		args = append(args, "--env", k)
	}
	for _, p := range r.Publish {
		args = append(args, "--publish", p)
	}
	return append(args, r.Image)
}

// dockerStateFormat prints a container's status, health and exit code.
const dockerStateFormat = "{{.State.Status}}\t{{if .State.Health}}{{.State.Health.Status}}{{end}}\t{{.State.ExitCode}}"

func dockerStateArgs(name string) []string {
	return []string{"docker", "inspect", "--type", "container", "--format", dockerStateFormat, name}
}

// dockerState is a container's state: Status is created, running,
// restarting, exited, dead...; Health is "" without a HEALTHCHECK, else
// starting, healthy or unhealthy.
type dockerState struct {
	Status, Health string
	ExitCode       int
}

func parseDockerState(out string) (dockerState, error) {
	f := strings.Split(strings.TrimSpace(out), "\t")
	if len(f) != 3 {
		return dockerState{}, fmt.Errorf("docker inspect printed %q, not STATUS HEALTH EXITCODE", strings.TrimSpace(out))
	}
	code, err := strconv.Atoi(f[2])
	if err != nil {
		return dockerState{}, fmt.Errorf("docker inspect printed exit code %q", f[2])
	}
	return dockerState{Status: f[0], Health: f[1], ExitCode: code}, nil
}

// ready says whether a container in state s serves: done is true when it
// runs (and its HEALTHCHECK, if any, says healthy); err when it never will.
func (s dockerState) ready() (done bool, err error) {
	switch s.Status {
	case "exited", "dead":
		return false, fmt.Errorf("the container exited with code %d", s.ExitCode)
	case "running":
		switch s.Health {
		case "unhealthy":
			return false, fmt.Errorf("its HEALTHCHECK says unhealthy")
		case "", "healthy":
			return true, nil
		}
	}
	return false, nil // created, restarting, starting
}

// String is the state for messages: "running (health: starting)".
func (s dockerState) String() string {
	if s.Health == "" {
		return s.Status
	}
	return s.Status + " (health: " + s.Health + ")"
}

// parseLoadedImage reads docker load's output: the loaded image's ID (or
// its name, when the archive named one).
func parseLoadedImage(out string) (string, error) {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		for _, prefix := range []string{"Loaded image ID: ", "Loaded image: "} {
			if v, ok := strings.CutPrefix(line, prefix); ok && v != "" {
				return v, nil
			}
		}
	}
	return "", fmt.Errorf("docker load printed no image: %q", strings.TrimSpace(out))
}

// parseDockerPort reads docker port's output (0.0.0.0:49153, then
// [::]:49153): the host port.
func parseDockerPort(out string) (int, error) {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		i := strings.LastIndex(line, ":")
		if i < 0 {
			continue
		}
		if n, err := strconv.Atoi(line[i+1:]); err == nil && n > 0 && n < 65536 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("docker port printed no host port: %q", strings.TrimSpace(out))
}
