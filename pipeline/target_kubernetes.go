package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/kube"
	"github.com/onepipe/onepipe/internal/manifest"
)

// kubernetesTarget deploys the app's Kubernetes manifests (deploy.manifests,
// Go templates rendered with the environment's values) with kubectl: record
// the app's revision, server-side dry run, apply phase by phase (config and
// secrets, database, migration Job, app, Services and Ingresses), wait for
// each rollout and the migration, run the smoke checks. Rollback returns
// every app Deployment to its recorded revision.
type kubernetesTarget struct {
	deploy  config.Deploy
	values  manifest.Values
	timeout time.Duration
	files   fs.FS
	secrets map[string]string // by variable name; never printed
	plan    kube.Plan         // as rendered with values.Image

	// what a Deploy left, for Rollback and Address
	cluster *Cluster
	ctr     *dagger.Container
	prev    map[string]kube.Revision
	failed  kube.Step
	log     io.Writer
	address string
}

func newKubernetesTarget(in TargetInput) (Target, error) {
	e, err := in.Config.Environment(in.Env)
	if err != nil {
		return nil, err
	}
	d := in.Config.Deploy.WithDefaults()
	timeout, err := d.TimeoutDuration()
	if err != nil {
		return nil, err
	}
	secrets := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(e.Secrets)) {
		v, err := in.Secret(fmt.Sprintf("environments.%s.secrets.%s", in.Env, name), e.Secrets[name])
		if err != nil {
			return nil, err
		}
		secrets[name] = v
	}
	t := &kubernetesTarget{
		deploy:  d,
		timeout: timeout,
		files:   in.Files,
		secrets: secrets,
		values: manifest.Values{
			App:         in.Config.App,
			Environment: in.Env,
			Namespace:   e.Namespace,
			Image:       in.Image,
			Version:     in.Version,
			Replicas:    e.Replicas,
			Host:        e.Host,
			Port:        d.Port,
			Vars:        e.Vars,
			SecretNames: slices.Sorted(maps.Keys(secrets)),
			Migration:   d.Migration,
			Labels:      manifest.StandardLabels(in.Config.App, in.Env, in.Version),
		},
	}
	if t.plan, err = t.render(); err != nil {
		return nil, err
	}
	return t, nil
}

// Plan describes the deploy: the image, namespace and every kubectl step.
func (t *kubernetesTarget) Plan() []string {
	out := []string{fmt.Sprintf("deploy: %s to namespace %s (timeout %s per wait)", t.values.Image, t.values.Namespace, t.timeout)}
	for i, l := range t.plan.Lines() {
		out = append(out, fmt.Sprintf("  %d. %s", i+1, l))
	}
	return out
}

func (t *kubernetesTarget) Address() string { return t.address }

// ReleaseImages lists the images the rendered manifests name and the app's.
func (t *kubernetesTarget) ReleaseImages() ([]string, string) { return t.plan.Images, t.values.Image }

// render renders the manifests with the target's values and plans the deploy.
func (t *kubernetesTarget) render() (kube.Plan, error) {
	st, err := fs.Stat(t.files, t.deploy.Manifests)
	if err != nil {
		return kube.Plan{}, fmt.Errorf("deploy manifests %s: not found: put the app's Kubernetes manifests there or set deploy.manifests in %s", t.deploy.Manifests, config.FileName)
	}
	if !st.IsDir() {
		return kube.Plan{}, fmt.Errorf("deploy manifests %s: is a file: set deploy.manifests in %s to the folder that holds the app's Kubernetes manifests", t.deploy.Manifests, config.FileName)
	}
	objs, err := manifest.Render(t.files, t.deploy.Manifests, t.values)
	if err != nil {
		return kube.Plan{}, err
	}
	if len(objs) == 0 {
		// applying nothing would leave the smoke checks to whatever serves already
		return kube.Plan{}, fmt.Errorf("deploy manifests %s: no Kubernetes objects (the .yaml files are empty, or render nothing for environment %s): add the app's manifests", t.deploy.Manifests, t.values.Environment)
	}
	if err := manifest.Check(objs, t.values); err != nil {
		return kube.Plan{}, err
	}
	secretName := ""
	if len(t.secrets) > 0 {
		secretName = t.values.SecretObjectName()
	}
	return kube.NewPlan(kube.Input{
		Namespace:  t.values.Namespace,
		Objects:    objs,
		SecretName: secretName,
		Smoke:      len(t.deploy.Smoke) > 0,
		Timeout:    t.timeout,
	})
}

// Deploy runs the plan on the cluster: it records the app's current
// revision, checks every manifest with a server-side dry run, applies them
// phase by phase, waits for each rollout and the migration, then runs the
// smoke checks. A cluster outside the engine gets the pushed image.
func (t *kubernetesTarget) Deploy(ctx context.Context, to Destination) (Deployed, error) {
	if to.Cluster == nil {
		return Deployed{}, errors.New("deploy: no cluster to deploy to")
	}
	cl, log := to.Cluster, to.log()
	t.cluster, t.log, t.prev = cl, log, map[string]kube.Revision{}
	if to.Image != "" && !cl.InEngine { // a cluster in the engine pulls nothing
		t.values.Image = to.Image
		var err error
		if t.plan, err = t.render(); err != nil {
			return Deployed{}, err
		}
	}
	ctr := cl.Kubectl()
	for _, f := range t.plan.Files {
		ctr = ctr.WithNewFile(f.Path, string(f.Data))
	}
	var appSecrets map[string]*dagger.Secret
	if len(t.secrets) > 0 {
		appSecrets = map[string]*dagger.Secret{}
		for name, v := range t.secrets {
			appSecrets[name] = NewSecret(to.Dag, SecretAppVariable, t.values.Environment+"-"+name, v)
		}
		m, err := kube.SecretManifest(t.values.Namespace, t.values.SecretObjectName(), t.values.Labels, t.secrets)
		if err != nil {
			return Deployed{}, err
		}
		ctr = ctr.WithMountedSecret(kube.SecretFilePath, NewSecret(to.Dag, SecretAppManifest, t.values.Environment, string(m)))
	}
	t.ctr = ctr

	for _, s := range t.plan.Record {
		out, err := cl.Exec(ctx, ctr, s.Args)
		if err == nil {
			t.prev[s.Target], err = kube.ParseRevision(out)
		}
		if err != nil {
			t.failed = s
			return Deployed{}, err
		}
		if rev := t.prev[s.Target]; rev.Exists {
			fmt.Fprintf(log, "deploy: %s is at revision %s\n", s.Target, rev.Number)
		} else {
			fmt.Fprintf(log, "deploy: %s is new\n", s.Target)
		}
	}

	var d Deployed
	var addresses []string
	for _, s := range t.plan.Steps {
		fmt.Fprintf(log, "deploy: %s\n", s.Desc)
		var err error
		switch s.Kind {
		case kube.Run:
			var out string
			out, err = cl.Exec(ctx, ctr, s.Args)
			if err == nil && s.Address {
				if a := kube.Address(out); a != "" {
					addresses = append(addresses, a)
				}
			}
			printIndented(log, out)
		case kube.Poll:
			err = poll(ctx, cl, ctr, s)
		case kube.Smoke:
			d.Smoke, err = t.smoke(ctx, to, appSecrets, addresses)
		}
		if err != nil && s.Optional {
			fmt.Fprintf(log, "deploy: %s failed (optional): %v\n", s.Desc, err)
			continue
		}
		if err != nil {
			t.failed = s
			return d, err
		}
	}
	d.Address, d.Note = address(t.values.Host, addresses, cl.Simulated || cl.PortForward)
	t.address = d.AddressLine()
	d.Summary = fmt.Sprintf("%s to namespace %s", t.values.Image, t.values.Namespace)
	if len(d.Smoke) > 0 {
		d.Summary += fmt.Sprintf(", %d smoke checks passed", len(d.Smoke))
	}
	return d, nil
}

// Rollback runs the diagnosis and rollback that follow the failed step and
// returns the error that says what the environment is left with. It runs
// even when the run was cancelled or timed out.
func (t *kubernetesTarget) Rollback(ctx context.Context, cause error) error {
	if t.cluster == nil || t.ctr == nil {
		return cause // nothing ran on the cluster
	}
	cl, ctr, log, p, s := t.cluster, t.ctr, t.log, t.plan, t.failed
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.Timeout+time.Minute)
	defer cancel()
	rec := p.OnFailure(s, t.prev)
	fmt.Fprintf(log, "deploy: %s failed: %v\n", s.Desc, cause)
	for _, d := range rec.Diagnose {
		if cl.Simulated && len(d.Args) > 1 && d.Args[1] == "logs" {
			continue // kwok runs no containers: there are no logs to show
		}
		fmt.Fprintf(log, "deploy: %s\n", d.Desc)
		out, err := cl.Exec(rctx, ctr, d.Args)
		printIndented(log, out)
		if err != nil {
			fmt.Fprintf(log, "  (%v)\n", err)
		}
	}
	for _, u := range rec.Undo {
		fmt.Fprintf(log, "deploy: %s\n", u.Desc)
		out, err := cl.Exec(rctx, ctr, u.Args)
		printIndented(log, out)
		if err != nil {
			return &DeployError{Message: rec.UndoFailed, Cause: err}
		}
	}
	return &DeployError{Message: rec.Message, Cause: cause}
}

// poll runs a Poll step until its Check says done, fails, or time runs out.
func poll(ctx context.Context, cl *Cluster, ctr *dagger.Container, s kube.Step) error {
	deadline := time.Now().Add(s.Timeout)
	for {
		out, err := cl.Exec(ctx, ctr, s.Args)
		if err != nil {
			return err
		}
		done, err := s.Check(out)
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not done after %s", s.Target, s.Timeout)
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(s.Interval):
		}
	}
}

// address picks what to print as the app's address; local is true for the
// local cluster, which has no load balancer.
func address(host string, lb []string, local bool) (string, string) {
	switch {
	case host != "" && len(lb) > 0:
		return "http://" + host, "load balancer " + lb[0]
	case host != "":
		if local {
			return "http://" + host, "the local cluster has no load balancer: the ingress host resolves nowhere"
		}
		return "http://" + host, "no load balancer address yet"
	case len(lb) > 0:
		return "http://" + lb[0], ""
	}
	return "", "no Ingress or LoadBalancer Service"
}

func printIndented(w io.Writer, out string) {
	out = strings.TrimSpace(out)
	if out == "" {
		return
	}
	fmt.Fprintln(w, "  "+strings.ReplaceAll(out, "\n", "\n  "))
}
