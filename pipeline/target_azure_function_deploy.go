package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/azure"
	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/kube"
)

// Deploy ships the release to the Function App: the zip package the pack
// stage built (or builds it now, outside a run) or the image (to.Image, the
// pushed ref@digest, when the run published one), then the smoke checks.
func (t *AzureFunction) Deploy(ctx context.Context, to Destination) (Deployed, error) {
	log := to.log()
	t.stepLog = func(format string, args ...any) { fmt.Fprintf(log, "deploy: "+format+"\n", args...) }
	arm := &azure.ARM{BaseURL: t.cfg.ARMURL, Tokens: t.cred, HTTP: t.http}
	var site azure.Site
	var summary string
	switch t.kind {
	case config.FunctionZip:
		if t.pkg == nil {
			if _, err := t.BuildPackage(ctx, to.Engine); err != nil {
				return Deployed{}, err
			}
		}
		d := &azure.FunctionZipDeploy{ARM: arm, App: t.app, Expect: t.cfg.FunctionZip.HostingPlan, Timeout: t.cfg.FunctionZip.DeployTimeout(),
			HTTP: t.http, Log: prefixWriter{log}}
		t.stepLog("upload %d bytes to Function App %s", len(t.pkg), t.app)
		did, err := d.Deploy(ctx, t.pkg)
		t.zipDone, t.live = did, did.Live
		t.rollback = func(ctx context.Context) (string, error) {
			if err := d.Rollback(ctx, did); err != nil {
				return "", err
			}
			return "WEBSITE_RUN_FROM_PACKAGE points at the previous package again", nil
		}
		if err != nil {
			return Deployed{}, err
		}
		site = did.Site
		summary = fmt.Sprintf("function.zip (%d KiB) to Function App %s on %s", (len(t.pkg)+1023)/1024, t.app.Name, did.Hosting)
	default:
		image := t.image
		if to.Image != "" && t.cfg.FunctionContainer.Image == "" {
			image = to.Image // exactly what was pushed
		}
		d := &azure.FunctionContainerDeploy{ARM: arm, App: t.app, Registry: t.registry, Restart: t.cfg.FunctionContainer.Restart}
		t.stepLog("point Function App %s at %s", t.app, image)
		ctx, cancel := context.WithTimeout(ctx, config.AzureDeployTimeout)
		did, err := d.Deploy(ctx, image)
		cancel()
		t.ctrDone, t.live = did, did.Changed
		t.rollback = func(ctx context.Context) (string, error) {
			if err := d.Rollback(ctx, did); err != nil {
				return "", err
			}
			return "the app runs " + strings.TrimPrefix(did.Previous, "DOCKER|") + " again", nil
		}
		if err != nil {
			return Deployed{}, err
		}
		site = did.Site
		summary = fmt.Sprintf("%s to Function App %s", image, t.app.Name)
	}
	if site.DefaultHostName == "" {
		return Deployed{}, fmt.Errorf("deploy to Function App %s: Azure Resource Manager names no host for it (defaultHostName): nothing to smoke-test", t.app)
	}
	base := "https://" + site.DefaultHostName
	t.address = base
	d := Deployed{Address: base, Summary: summary}
	var err error
	d.Smoke, err = t.runSmoke(ctx, base)
	if len(d.Smoke) > 0 {
		d.Summary += fmt.Sprintf(", %d smoke checks passed", len(d.Smoke))
	}
	return d, err
}

// runSmoke waits for the function's smoke path, then runs deploy.smoke.
func (t *AzureFunction) runSmoke(ctx context.Context, base string) ([]kube.SmokeResult, error) {
	if t.warm.Path != "" {
		t.stepLog("wait for GET %s%s to answer 2xx (up to %s)", base, t.warm.Path, t.warm.WaitTimeout())
		s := t.smoke
		s.Interval = 2 * time.Second
		status, err := s.Wait(ctx, base+t.warm.Path, t.warm.WaitTimeout())
		if err != nil {
			return nil, err
		}
		t.stepLog("  %s → %d", t.warm.Path, status)
	}
	if len(t.checks) == 0 {
		return nil, nil
	}
	checks := make([]config.SmokeCheck, len(t.checks))
	for i, c := range t.checks {
		if t.smoke.Key != nil {
			key, _ := t.smoke.Key.Plaintext(ctx)
			c.Headers = maps.Clone(c.Headers)
			if c.Headers == nil {
				c.Headers = map[string]string{}
			}
			if _, set := c.Headers["x-functions-key"]; !set {
				c.Headers["x-functions-key"] = key
			}
		}
		checks[i] = c
	}
	t.stepLog("smoke checks against %s", base)
	sm := &kube.Smoker{Timeout: t.timeout, Client: t.http}
	results, err := sm.Run(ctx, base, checks)
	for _, res := range results {
		t.stepLog("  %s", res)
	}
	return results, err
}

// Rollback returns the app to what it ran before when the release reached
// it and the plan allows, and says what the app is left with.
func (t *AzureFunction) Rollback(ctx context.Context, cause error) error {
	app := "Function App " + t.app.Name
	if !t.live {
		return &DeployError{Message: fmt.Sprintf("the deploy to %s failed before the release reached it: it runs what it ran before", app), Cause: cause}
	}
	what := "the release"
	if t.kind == config.FunctionZip {
		what = "the new package"
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), config.AzureDeployTimeout)
	defer cancel()
	t.stepLog("%s failed: %v", app, cause)
	done, err := t.rollback(rctx)
	switch {
	case errors.Is(err, azure.ErrNoRollback):
		return &DeployError{Message: fmt.Sprintf("the release to %s failed and the app runs it: %s keeps no previous package onepipe can return to: deploy the previous release again", app, orUnknownPlan(t.zipDone.Hosting)), Cause: cause}
	case err != nil:
		return &DeployError{Message: fmt.Sprintf("the release to %s failed and the rollback failed too (%v): the app runs %s", app, err, what), Cause: cause}
	}
	t.stepLog("rolled %s back: %s", app, done)
	return &DeployError{Message: fmt.Sprintf("the release to %s failed and was rolled back: %s", app, done), Cause: cause}
}

func orUnknownPlan(h azure.Hosting) string {
	if h.Tier == "" {
		return "its hosting plan"
	}
	return h.String()
}

// checkNames lists the smoke checks by name.
func checkNames(checks []config.SmokeCheck) string {
	names := make([]string, len(checks))
	for i, c := range checks {
		names[i] = c.Name
		if names[i] == "" {
			names[i] = fmt.Sprintf("#%d %s", i+1, c.Path)
		}
	}
	return strings.Join(names, ", ")
}

// prefixWriter writes each line it gets after "deploy: ".
type prefixWriter struct{ w io.Writer }

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := p.w.Write(append([]byte("deploy: "), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}
