package plan

import (
	"errors"
	"fmt"
	"slices"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/pipeline"
)

// resolveDeploy makes the cluster provider and the deploy target: the
// manifests are rendered, the secrets resolved, so that a broken manifest, a
// missing secret or an impossible target fails before any work starts.
func (p *Plan) resolveDeploy(env Environment, d Deploy) error {
	cl, err := clusterWithFlags(p.Env.Cluster, d)
	if err != nil {
		return err
	}
	if d.Review != "" {
		if err := p.review(d.Review); err != nil {
			return err
		}
	}
	if p.Release.Version == "" {
		return errors.New("deploy needs a version for the image: the revision is unknown (not a git checkout, no CI variables): pass --sha or --tag")
	}
	if !pipeline.TargetUsesCluster(p.App.Config, p.EnvName) {
		if d.Cluster != "" || d.Kubeconfig != "" {
			return fmt.Errorf("environment %s deploys to %s, not to a Kubernetes cluster: drop --cluster and --kubeconfig", p.EnvName, pipeline.TargetName(p.App.Config, p.EnvName))
		}
		image := pipeline.LocalImageRef(p.App.Config.App, p.Release.Version)
		if p.Publish != nil {
			image = p.Publish.Repository + ":" + p.Publish.Tags[0]
		}
		target, err := pipeline.NewTarget(pipeline.TargetInput{
			Config: p.App.Config, Env: p.EnvName, Files: p.App.Source.FS,
			Image: image, Version: p.Release.Version, Secret: env.Secrets.Lookup,
		})
		if err != nil {
			return err
		}
		p.Deploy = &DeployPlan{Target: target}
		return nil
	}
	var target pipeline.Target
	cluster, err := pipeline.NewClusterProvider(pipeline.ClusterInput{
		Env: p.EnvName, Cluster: cl, Azure: p.App.Config.Azure, Secret: env.Secrets.Lookup,
		Images:    func() ([]string, string) { return pipeline.ReleaseImages(target) },
		APIServer: d.APIServer,
	})
	if err != nil {
		return err
	}
	provider := cl.ProviderName()
	image := pipeline.LocalImageRef(p.App.Config.App, p.Release.Version)
	switch {
	case p.Publish != nil:
		image = p.Publish.Repository + ":" + p.Publish.Tags[0]
	case cluster.PullsImages():
		return fmt.Errorf("deploy to the %s cluster needs a pushed image: add --publish REPOSITORY or --push", provider)
	}
	target, err = pipeline.NewTarget(pipeline.TargetInput{
		Config: p.App.Config, Env: p.EnvName, Files: p.App.Source.FS,
		Image: image, Version: p.Release.Version, Secret: env.Secrets.Lookup,
	})
	if err != nil {
		return err
	}
	p.Deploy = &DeployPlan{Cluster: cluster, Target: target}
	return nil
}

// clusterWithFlags is the environment's cluster with --cluster and
// --kubeconfig applied: --cluster picks the provider, --kubeconfig alone
// means existing.
func clusterWithFlags(cl config.Cluster, d Deploy) (config.Cluster, error) {
	if d.Cluster != "" && !slices.Contains(pipeline.ClusterProviders(), d.Cluster) {
		return cl, fmt.Errorf("--cluster %q: use %s", d.Cluster, pipeline.OrList(pipeline.ClusterProviders()))
	}
	if d.Kubeconfig != "" && d.Cluster != "" && d.Cluster != config.ProviderExisting {
		return cl, fmt.Errorf("--kubeconfig reaches an existing cluster: it cannot be used with --cluster %s (drop one of them)", d.Cluster)
	}
	switch {
	case d.Cluster != "":
		cl.Provider = d.Cluster
	case d.Kubeconfig != "":
		cl.Provider = config.ProviderExisting
	}
	if d.Kubeconfig != "" {
		cl.Kubeconfig = d.Kubeconfig
	}
	return cl, nil
}

// Cluster is the cluster provider of an environment, for commands that reach
// a cluster without a run (onepipe kubectl).
func (a *App) Cluster(envName string, d Deploy, env Environment) (pipeline.ClusterProvider, error) {
	e, err := a.Config.Environment(envName)
	if err != nil {
		return nil, err
	}
	cl, err := clusterWithFlags(e.Cluster, d)
	if err != nil {
		return nil, err
	}
	return pipeline.NewClusterProvider(pipeline.ClusterInput{Env: envName, Cluster: cl, Azure: a.Config.Azure, Secret: env.Secrets.Lookup, APIServer: d.APIServer})
}
