package pipeline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/kube"
)

// The steps of the Docker host target's Deploy, and its Rollback.

// load loads the image pack built, for the daemon's platform, and names it
// image.
func (t *dockerTarget) load(ctx context.Context, p *Pipeline, platform, image string) error {
	platforms := p.Options().Platforms
	i := slices.IndexFunc(platforms, func(pl dagger.Platform) bool { return samePlatform(pl, dagger.Platform(platform)) })
	if i < 0 {
		return fmt.Errorf("the Docker host runs %s and the image is built for %s: add %s to platforms in %s", platform, platformList(platforms), platform, config.FileName)
	}
	const tarball = "/onepipe/image.tar"
	ctr := t.cli.ctr.WithMountedFile(tarball, p.Image(platforms[i]).AsTarball())
	out, err := t.cli.execIn(ctx, ctr, t.timeout, []string{"docker", "load", "--input", tarball})
	if err != nil {
		return err
	}
	id, err := parseLoadedImage(out)
	if err != nil {
		return err
	}
	_, err = t.cli.exec(ctx, t.timeout, []string{"docker", "tag", id, image})
	return err
}

// lookUp records the release that serves and clears what an earlier
// deploy that was stopped halfway left: a NAME-next is removed; a
// NAME-previous without a NAME (stopped during its swap) becomes NAME again.
func (t *dockerTarget) lookUp(ctx context.Context) error {
	n := t.names
	ps := func() (map[string]dockerContainer, error) {
		out, err := t.cli.exec(ctx, t.timeout, dockerPsArgs(n.current))
		return parseDockerPs(out, n.current, n.next, n.previous), err
	}
	found, err := ps()
	if err != nil {
		return err
	}
	if _, ok := found[n.next]; ok {
		fmt.Fprintf(t.log, "  removing %s, left by an earlier deploy\n", n.next)
		if _, err := t.cli.exec(ctx, t.timeout, []string{"docker", "rm", "--force", n.next}); err != nil {
			return err
		}
	}
	if prev, ok := found[n.previous]; ok {
		if _, serving := found[n.current]; serving {
			fmt.Fprintf(t.log, "  removing %s, left by an earlier deploy\n", n.previous)
			_, err = t.cli.exec(ctx, t.timeout, []string{"docker", "rm", "--force", n.previous})
		} else {
			fmt.Fprintf(t.log, "  %s (%s) was stopped by an earlier deploy that did not finish: starting it again as %s\n", n.previous, prev.What(), n.current)
			if _, err = t.cli.exec(ctx, t.timeout, []string{"docker", "rename", n.previous, n.current}); err == nil {
				_, err = t.cli.exec(ctx, t.timeout, []string{"docker", "start", n.current})
			}
		}
		if err != nil {
			return err
		}
		if found, err = ps(); err != nil {
			return err
		}
	}
	t.looked = true
	if c, ok := found[n.current]; ok {
		t.before = &c
		fmt.Fprintf(t.log, "  %s runs %s (%s)\n", n.current, c.What(), c.State)
	} else {
		fmt.Fprintf(t.log, "  %s does not exist yet\n", n.current)
	}
	return nil
}

// start runs r; the container counts as started (for Rollback) even when
// docker run fails after creating it.
func (t *dockerTarget) start(ctx context.Context, r dockerRun) error {
	t.started = append(t.started, r.Name)
	out, err := t.cli.exec(ctx, t.timeout, r.Args())
	if err == nil {
		fmt.Fprintf(t.log, "  %s %s\n", r.Name, strings.TrimSpace(out))
	}
	return err
}

// waitReady waits until container name runs, is healthy when the image has
// a HEALTHCHECK, and has kept running for settle; it fails as soon as the
// container exits or turns unhealthy, or after the deploy timeout.
func (t *dockerTarget) waitReady(ctx context.Context, name string, settle time.Duration) error {
	deadline := time.Now().Add(t.timeout)
	var since time.Time // when it was first seen ready
	var last dockerState
	for {
		out, err := t.cli.exec(ctx, t.timeout, dockerStateArgs(name))
		if err != nil {
			return err
		}
		if last, err = parseDockerState(out); err != nil {
			return err
		}
		done, err := last.ready()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		switch {
		case done && since.IsZero():
			since = time.Now()
			fallthrough
		case done:
			if time.Since(since) >= settle {
				fmt.Fprintf(t.log, "  %s is %s\n", name, last)
				return nil
			}
		default:
			since = time.Time{}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is %s after %s", name, last, t.timeout)
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(dockerPoll):
		}
	}
}

// runSmoke runs the smoke checks against the new container's check port.
func (t *dockerTarget) runSmoke(ctx context.Context) ([]kube.SmokeResult, error) {
	out, err := t.cli.exec(ctx, t.timeout, []string{"docker", "port", t.names.next, fmt.Sprintf("%d/tcp", t.port)})
	if err != nil {
		return nil, err
	}
	port, err := parseDockerPort(out)
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("http://%s:%d", t.access.appHost(), port)
	fmt.Fprintf(t.log, "  smoke checks against %s at %s\n", t.names.next, base)
	results, err := (&kube.Smoker{Timeout: t.timeout}).Run(ctx, base, t.smoke)
	for _, res := range results {
		fmt.Fprintf(t.log, "  %s\n", res)
	}
	return results, err
}

// swap replaces the old container by the checked release on the real
// ports; the old one is removed only once the new one runs.
func (t *dockerTarget) swap(ctx context.Context, image string) error {
	n := t.names
	err := t.do("swap: stop "+n.current+", start the new release as "+n.current, func() error {
		if err := t.remove(ctx, n.next); err != nil {
			return err
		}
		if t.before != nil {
			if t.before.Running() {
				t.stopped = true // also when docker stop fails halfway: Rollback starts it
				if _, err := t.cli.exec(ctx, t.timeout, []string{"docker", "stop", n.current}); err != nil {
					return err
				}
			}
			if _, err := t.cli.exec(ctx, t.timeout, []string{"docker", "rename", n.current, n.previous}); err != nil {
				return err
			}
			t.swapped = true
		}
		final := dockerRun{Name: n.current, Image: image, Restart: t.restart, Labels: t.labels, Vars: t.vars, Secrets: slices.Collect(maps.Keys(t.secrets))}
		for _, p := range t.ports {
			final.Publish = append(final.Publish, p.String())
		}
		return t.start(ctx, final)
	})
	if err != nil {
		return err
	}
	if err := t.do("wait until "+n.current+" runs", func() error { return t.waitReady(ctx, n.current, 0) }); err != nil {
		return err
	}
	t.started, t.stopped = nil, false // the new release serves: it stays
	if t.swapped {
		fmt.Fprintf(t.log, "deploy: remove %s\n", n.previous)
		if _, err := t.cli.exec(ctx, t.timeout, []string{"docker", "rm", "--force", n.previous}); err != nil {
			// the release serves; the old container is only in the way of the next swap, which removes it
			fmt.Fprintf(t.log, "  (%v: the next deploy removes it)\n", err)
		}
		t.swapped = false
	}
	return nil
}

// remove removes a container this deploy started.
func (t *dockerTarget) remove(ctx context.Context, name string) error {
	if _, err := t.cli.exec(ctx, t.timeout, []string{"docker", "rm", "--force", name}); err != nil {
		return err
	}
	t.started = slices.DeleteFunc(t.started, func(s string) bool { return s == name })
	return nil
}

// Rollback removes what the failed deploy started and, when the swap had
// begun, starts the old container again under its name; it returns the
// error that says what failed and which release serves. It runs even when
// the run was cancelled or timed out.
func (t *dockerTarget) Rollback(ctx context.Context, cause error) error {
	if t.cli == nil {
		return cause // nothing reached the host
	}
	n := t.names
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.timeout+time.Minute)
	defer cancel()
	fmt.Fprintf(t.log, "deploy: %s failed: %v\n", t.step, cause)
	where := fmt.Sprintf("deploy to the Docker host %s failed at %q", t.access.host, t.step)
	removed := len(t.started) > 0
	for _, name := range slices.Clone(t.started) {
		fmt.Fprintf(t.log, "deploy: the last lines %s printed\n", name)
		out, err := t.cli.output(rctx, t.timeout, []string{"docker", "logs", "--tail", "20", name})
		printIndented(t.log, out)
		if err != nil {
			fmt.Fprintf(t.log, "  (%v)\n", err)
		}
		fmt.Fprintf(t.log, "deploy: remove %s\n", name)
		if err := t.remove(rctx, name); err != nil {
			return &DeployError{Message: fmt.Sprintf("%s, and removing the new container %s failed: remove it on the host (docker rm --force %s)", where, name, name), Cause: err}
		}
	}
	if t.swapped || t.stopped {
		fmt.Fprintf(t.log, "deploy: start the old release again as %s\n", n.current)
		var err error
		if t.swapped {
			_, err = t.cli.exec(rctx, t.timeout, []string{"docker", "rename", n.previous, n.current})
		}
		if err == nil && t.stopped {
			_, err = t.cli.exec(rctx, t.timeout, []string{"docker", "start", n.current})
		}
		if err != nil {
			fix := "docker start " + n.current
			if t.swapped {
				fix = fmt.Sprintf("docker rename %s %s, then %s", n.previous, n.current, fix)
			}
			return &DeployError{Message: fmt.Sprintf("%s, and starting the old release again failed: on the host, %s", where, fix), Cause: err}
		}
		t.swapped, t.stopped = false, false
		again := "serves again"
		if !t.before.Running() {
			again = "is back as it was (" + t.before.State + ")"
		}
		return &DeployError{Message: fmt.Sprintf("%s: removed the new release; %s (%s) %s", where, n.current, t.before.What(), again), Cause: cause}
	}
	return &DeployError{Message: where + ": " + t.kept(removed), Cause: cause}
}

// kept says what the host is left with after a failure that did not touch
// the old container; removed is true when the new one was removed.
func (t *dockerTarget) kept(removed bool) string {
	if !t.looked {
		return "no container was changed"
	}
	var s string
	switch {
	case t.before == nil:
		s = "no release ran as " + t.names.current + " before"
	case !t.before.Running():
		s = fmt.Sprintf("%s (%s) is left as it was (%s)", t.names.current, t.before.What(), t.before.State)
	default:
		s = fmt.Sprintf("%s (%s) still serves", t.names.current, t.before.What())
	}
	if removed {
		s = "removed the new release; " + s
	}
	return s
}
