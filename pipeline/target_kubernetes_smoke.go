package pipeline

import (
	"context"
	"maps"
	"slices"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/kube"
)

// smoke runs the checks against the release (runClusterSmoke, which the
// Helm chart target shares).
func (t *kubernetesTarget) smoke(ctx context.Context, to Destination, secrets map[string]*dagger.Secret, addresses []string) ([]kube.SmokeResult, error) {
	app := ""
	if len(t.plan.Apps) > 0 {
		app = t.plan.Apps[0].String()
	}
	return runClusterSmoke(ctx, to, clusterSmoke{
		Deploy: t.deploy, Vars: t.values.Vars, Secrets: secrets,
		Namespace: t.plan.Namespace, App: app,
		Host: t.values.Host, Addresses: addresses, Timeout: t.timeout,
	})
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
