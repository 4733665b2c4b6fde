package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/kube"
)

// smoke runs the checks against the app: on a simulated cluster the app's
// image as a Dagger service reached through a tunnel, elsewhere the load
// balancer's address (with the ingress host) or the ingress host itself.
func (t *kubernetesTarget) smoke(ctx context.Context, to Destination, secrets map[string]*dagger.Secret, addresses []string) ([]kube.SmokeResult, error) {
	cl, log, p := to.Cluster, to.log(), t.plan
	sm := &kube.Smoker{Timeout: t.timeout}
	var base string
	var svc *dagger.Service // reached through a tunnel from this machine
	var what, via string
	switch {
	case cl.Simulated:
		if to.Pipeline == nil {
			return nil, errors.New("no app image to smoke-test on the simulated cluster")
		}
		vars := map[string]string{}
		maps.Copy(vars, t.values.Vars)
		maps.Copy(vars, t.deploy.SmokeEnv)
		app := to.Pipeline.SmokeApp(SmokeEnv{Port: t.deploy.Port, Vars: vars, Secrets: secrets, Migration: t.deploy.Migration},
			strconv.FormatInt(time.Now().UnixNano(), 36))
		svc, what, via = app, "the app's image", "as a service (the local cluster runs no containers)"
	case cl.PortForward:
		if len(p.Apps) == 0 || t.deploy.Port == 0 {
			return nil, errors.New("no app Deployment and port to smoke-test through kubectl port-forward")
		}
		const local = 8080
		svc = cl.Kubectl().WithExposedPort(local).AsService(dagger.ContainerAsServiceOpts{Args: []string{
			"kubectl", "port-forward", "--address=0.0.0.0", "--namespace=" + p.Namespace,
			p.Apps[0].String(), fmt.Sprintf("%d:%d", local, t.deploy.Port)}})
		what, via = "the pods of "+p.Apps[0].String(), "through kubectl port-forward"
	case len(addresses) > 0:
		base, sm.Host = "http://"+addresses[0], t.values.Host
	case t.values.Host != "":
		base = "http://" + t.values.Host
	default:
		return nil, errors.New("no address to smoke-test: the manifests have no Ingress or LoadBalancer Service with an address")
	}
	if svc != nil {
		tunnel, err := to.Dag.Host().Tunnel(svc).Start(ctx)
		if err != nil {
			return nil, fmt.Errorf("start %s for the smoke checks: %w", what, Explain(err))
		}
		defer tunnel.Stop(context.WithoutCancel(ctx))
		if base, err = tunnel.Endpoint(ctx, dagger.ServiceEndpointOpts{Scheme: "http"}); err != nil {
			return nil, fmt.Errorf("reach %s for the smoke checks: %w", what, Explain(err))
		}
		fmt.Fprintf(log, "deploy: smoke checks against %s %s, %s\n", what, via, base)
	}
	results, err := sm.Run(ctx, base, t.deploy.Smoke)
	for _, res := range results {
		fmt.Fprintf(log, "  %s\n", res)
	}
	return results, err
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
