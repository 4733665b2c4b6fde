package pipeline

import (
	"context"
	"fmt"

	"github.com/onepipe/onepipe/internal/azure"
)

// aksProvider is an Azure Kubernetes Service cluster, made through Azure
// Resource Manager with the azure section's service principal: the
// resource group and cluster are created only when missing, an existing
// cluster is never changed.
type aksProvider struct {
	aks *azure.AKS
}

func newAKSProvider(in ClusterInput) (ClusterProvider, error) {
	cred, err := azure.NewCredential(in.Azure, in.Secret)
	if err != nil {
		return nil, err
	}
	a, err := azure.NewAKS(in.Env, in.Cluster, in.Azure.SubscriptionID, cred)
	if err != nil {
		return nil, err
	}
	a.ARM.BaseURL = in.Azure.ARMURL
	return &aksProvider{aks: a}, nil
}

func (p *aksProvider) Plan() []string { return p.aks.Plan() }

func (p *aksProvider) Ensure(ctx context.Context, e Engine) (*Cluster, error) {
	ready, err := p.aks.Ensure(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range ready.Notes {
		fmt.Fprintf(e.log(), "cluster: note: %s\n", n)
	}
	c, err := p.Reach(ctx, e)
	if err != nil {
		return nil, err
	}
	return c, c.Ready(ctx)
}

// Reach fetches the cluster's kubeconfig; it creates nothing.
func (p *aksProvider) Reach(ctx context.Context, e Engine) (*Cluster, error) {
	kc, err := p.aks.Kubeconfig(ctx)
	if err != nil {
		return nil, err
	}
	name := p.aks.Name
	return kubeconfigCluster(ctx, e, "aks cluster "+name, NewSecret(e.Dag, SecretKubeconfig, "aks-"+name, string(kc)))
}

// PullsImages is true: the cluster pulls the pushed image.
func (p *aksProvider) PullsImages() bool { return true }
