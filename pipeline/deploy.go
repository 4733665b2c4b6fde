package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/kube"
)

// Release is one deploy of the app to a cluster: the plan made from its
// rendered manifests (kube.NewPlan) and what the steps need.
type Release struct {
	// Plan lists the manifests and the kubectl steps, in order.
	Plan kube.Plan
	// Secret is the app's Secret manifest (kube.SecretManifest), mounted at
	// kube.SecretFilePath; nil when the environment has no secrets.
	Secret *dagger.Secret
	// Smoke are the HTTP checks run once the app rolled out.
	Smoke []config.SmokeCheck
	// SmokeTimeout bounds the smoke checks (default kube.DefaultSmokeTimeout).
	SmokeTimeout time.Duration
	// SmokeApp is the app started as a Dagger service (SmokeApp). On a
	// simulated cluster the smoke checks run against it; elsewhere it is
	// unused.
	SmokeApp *dagger.Service
	// Host is the ingress host name: the address printed, and the Host
	// header of smoke checks sent to a load balancer's IP.
	Host string
	// Port is the port the app listens on in its container (the smoke
	// checks' target through kubectl port-forward).
	Port int
	// Log receives a line per step and what kubectl printed.
	Log io.Writer
}

// Deployed is what a successful deploy left.
type Deployed struct {
	// Address is where the app answers: the ingress host or the load
	// balancer's address as a URL, or "" when there is none yet.
	Address string
	// Note explains the address, e.g. that the local cluster has no load balancer.
	Note string
	// Smoke are the smoke checks' results.
	Smoke []kube.SmokeResult
}

// AddressLine is the address with its note, for output: "http://shop.example.com
// (load balancer 34.1.2.3)", or "none (...)" when there is no address.
func (d Deployed) AddressLine() string {
	a := d.Address
	if a == "" {
		a = "none"
	}
	if d.Note != "" {
		a += " (" + d.Note + ")"
	}
	return a
}

// DeployError is a failed deploy: what failed, and the state it left.
type DeployError struct {
	// Message says what failed and what the rollback did, in one line.
	Message string
	// Cause is the failure of the step.
	Cause error
}

func (e *DeployError) Error() string {
	if e.Cause == nil {
		return e.Message
	}
	return e.Message + " (" + e.Cause.Error() + ")"
}

func (e *DeployError) Unwrap() error { return e.Cause }

// Deploy runs the release's plan on the cluster: it records the app's
// current revision, checks every manifest with a server-side dry run,
// applies them phase by phase (config and secrets, database, migration Job,
// app, Services and Ingresses), waits for each rollout and the migration,
// then runs the smoke checks. When a step fails, the app goes back to the
// recorded revision (kube.Plan.OnFailure) and the error says what happened.
func Deploy(ctx context.Context, dag *dagger.Client, cl *Cluster, r Release) (Deployed, error) {
	log := r.Log
	if log == nil {
		log = io.Discard
	}
	ctr := cl.Kubectl()
	for _, f := range r.Plan.Files {
		ctr = ctr.WithNewFile(f.Path, string(f.Data))
	}
	if r.Secret != nil {
		ctr = ctr.WithMountedSecret(kube.SecretFilePath, r.Secret)
	}

	prev := map[string]kube.Revision{}
	for _, s := range r.Plan.Record {
		out, err := cl.Exec(ctx, ctr, s.Args)
		if err == nil {
			prev[s.Target], err = kube.ParseRevision(out)
		}
		if err != nil {
			return Deployed{}, &DeployError{Message: r.Plan.OnFailure(s, prev).Message, Cause: err}
		}
		if rev := prev[s.Target]; rev.Exists {
			fmt.Fprintf(log, "deploy: %s is at revision %s\n", s.Target, rev.Number)
		} else {
			fmt.Fprintf(log, "deploy: %s is new\n", s.Target)
		}
	}

	var d Deployed
	var addresses []string
	for _, s := range r.Plan.Steps {
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
			d.Smoke, err = smoke(ctx, dag, cl, r, addresses, log)
		}
		if err != nil && s.Optional {
			fmt.Fprintf(log, "deploy: %s failed (optional): %v\n", s.Desc, err)
			continue
		}
		if err != nil {
			return d, recoverFrom(ctx, cl, ctr, r.Plan, s, prev, err, log)
		}
	}
	d.Address, d.Note = address(r.Host, addresses, cl.Simulated || cl.PortForward)
	return d, nil
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

// smoke runs the checks against the app: on a simulated cluster the app's
// image as a Dagger service reached through a tunnel, elsewhere the load
// balancer's address (with the ingress host) or the ingress host itself.
func smoke(ctx context.Context, dag *dagger.Client, cl *Cluster, r Release, addresses []string, log io.Writer) ([]kube.SmokeResult, error) {
	sm := &kube.Smoker{Timeout: r.SmokeTimeout}
	var base string
	var svc *dagger.Service // reached through a tunnel from this machine
	var what, via string
	switch {
	case cl.Simulated:
		if r.SmokeApp == nil {
			return nil, errors.New("no app service to smoke-test on the simulated cluster")
		}
		svc, what, via = r.SmokeApp, "the app's image", "as a service (the local cluster runs no containers)"
	case cl.PortForward:
		if len(r.Plan.Apps) == 0 || r.Port == 0 {
			return nil, errors.New("no app Deployment and port to smoke-test through kubectl port-forward")
		}
		const local = 8080
		svc = cl.Kubectl().WithExposedPort(local).AsService(dagger.ContainerAsServiceOpts{Args: []string{
			"kubectl", "port-forward", "--address=0.0.0.0", "--namespace=" + r.Plan.Namespace,
			r.Plan.Apps[0].String(), fmt.Sprintf("%d:%d", local, r.Port)}})
		what, via = "the pods of "+r.Plan.Apps[0].String(), "through kubectl port-forward"
	case len(addresses) > 0:
		base, sm.Host = "http://"+addresses[0], r.Host
	case r.Host != "":
		base = "http://" + r.Host
	default:
		return nil, errors.New("no address to smoke-test: the manifests have no Ingress or LoadBalancer Service with an address")
	}
	if svc != nil {
		tunnel, err := dag.Host().Tunnel(svc).Start(ctx)
		if err != nil {
			return nil, fmt.Errorf("start %s for the smoke checks: %w", what, Explain(err))
		}
		defer tunnel.Stop(context.WithoutCancel(ctx))
		if base, err = tunnel.Endpoint(ctx, dagger.ServiceEndpointOpts{Scheme: "http"}); err != nil {
			return nil, fmt.Errorf("reach %s for the smoke checks: %w", what, Explain(err))
		}
		fmt.Fprintf(log, "deploy: smoke checks against %s %s, %s\n", what, via, base)
	}
	results, err := sm.Run(ctx, base, r.Smoke)
	for _, res := range results {
		fmt.Fprintf(log, "  %s\n", res)
	}
	return results, err
}

// recoverFrom runs the diagnosis and rollback that follow the failure of
// step s and returns the error that says what the environment is left with.
func recoverFrom(ctx context.Context, cl *Cluster, ctr *dagger.Container, p kube.Plan, s kube.Step, prev map[string]kube.Revision, cause error, log io.Writer) error {
	// the rollback must run even when the run was cancelled or timed out
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.Timeout+time.Minute)
	defer cancel()
	rec := p.OnFailure(s, prev)
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

// SmokeEnv is how the app runs when started as a Dagger service for the
// smoke checks (SmokeApp).
type SmokeEnv struct {
	// Port the app listens on.
	Port int
	// Vars are plain environment variables: the environment's vars, then
	// deploy.smokeEnv from onepipe.yaml.
	Vars map[string]string
	// Secrets are the environment's secrets, as environment variables.
	Secrets map[string]*dagger.Secret
	// Migration runs before the app starts (empty: none).
	Migration []string
}

// SmokeApp starts the app's image (for the first platform) as a service the
// way the cluster would: with the environment's variables and secrets, after
// running the migration. It runs again on every deploy: bust is unique per run.
func (p *Pipeline) SmokeApp(env SmokeEnv, bust string) *dagger.Service {
	ctr := p.Image(p.opts.Platforms[0])
	for _, k := range slices.Sorted(maps.Keys(env.Vars)) {
		ctr = ctr.WithEnvVariable(k, env.Vars[k])
	}
	for _, k := range slices.Sorted(maps.Keys(env.Secrets)) {
		ctr = ctr.WithSecretVariable(k, env.Secrets[k])
	}
	ctr = ctr.WithEnvVariable("ONEPIPE_SMOKE_RUN", bust)
	if len(env.Migration) > 0 {
		ctr = ctr.WithExec(env.Migration)
	}
	return ctr.
		WithExposedPort(env.Port).
		AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true})
}

func printIndented(w io.Writer, out string) {
	out = strings.TrimSpace(out)
	if out == "" {
		return
	}
	fmt.Fprintln(w, "  "+strings.ReplaceAll(out, "\n", "\n  "))
}
