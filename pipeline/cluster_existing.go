package pipeline

import (
	"context"
	"fmt"

	"github.com/onepipe/onepipe/internal/kube"
)

// existingProvider reaches a cluster someone else runs, with the kubeconfig
// the environment names (cluster.kubeconfig, or --kubeconfig). It creates
// nothing.
type existingProvider struct {
	ref        string // where the kubeconfig comes from, e.g. env:KUBECONFIG_DATA
	kubeconfig string
}

func newExistingProvider(in ClusterInput) (ClusterProvider, error) {
	ref := in.Cluster.Kubeconfig
	if ref == "" {
		return nil, fmt.Errorf("environments.%s.cluster.kubeconfig: provider existing needs a kubeconfig reference, e.g. env:KUBECONFIG_DATA or file:/path/kubeconfig", in.Env)
	}
	v, err := in.Secret("kubeconfig", ref)
	if err != nil {
		return nil, err
	}
	if v != "" {
		if err := kube.CheckKubeconfig([]byte(v)); err != nil {
			return nil, fmt.Errorf("kubeconfig from %s: %w", ref, err)
		}
	}
	return &existingProvider{ref: ref, kubeconfig: v}, nil
}

func (p *existingProvider) Plan() []string {
	return []string{"existing cluster, kubeconfig from " + p.ref}
}

func (p *existingProvider) Ensure(ctx context.Context, e Engine) (*Cluster, error) {
	c, err := p.Reach(ctx, e)
	if err != nil {
		return nil, err
	}
	return c, c.Ready(ctx)
}

func (p *existingProvider) Reach(_ context.Context, e Engine) (*Cluster, error) {
	name := "the cluster of " + p.ref
	secret := NewSecret(e.Dag, SecretKubeconfig, p.ref, p.kubeconfig)
	return kubeconfigCluster(e.Dag, name, secret), nil
}

// PullsImages is true: the cluster pulls the pushed image.
func (p *existingProvider) PullsImages() bool { return true }
