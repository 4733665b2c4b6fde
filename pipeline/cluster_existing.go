package pipeline

import (
	"context"
	"fmt"
	"strconv"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/kube"
)

// existingProvider reaches a cluster someone else runs, with the kubeconfig
// the environment names (cluster.kubeconfig, or --kubeconfig). It creates
// nothing. A cluster on this machine's loopback (kind, minikube, k3d:
// https://127.0.0.1:PORT) is reached through the engine's host tunnel.
type existingProvider struct {
	ref        string // where the kubeconfig comes from, e.g. env:KUBECONFIG_DATA
	kubeconfig string
	apiServer  *dagger.Service
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
	return &existingProvider{ref: ref, kubeconfig: v, apiServer: in.APIServer}, nil
}

func (p *existingProvider) Plan() []string {
	line := "existing cluster, kubeconfig from " + p.ref
	if u, ok := kube.LoopbackServer([]byte(p.kubeconfig)); ok {
		line += fmt.Sprintf(" (its API server %s is on this machine: reached through the engine's host tunnel)", u.Host)
	}
	return []string{line}
}

func (p *existingProvider) Ensure(ctx context.Context, e Engine) (*Cluster, error) {
	c, err := p.Reach(ctx, e)
	if err != nil {
		return nil, err
	}
	return c, c.Ready(ctx)
}

// apiServerHost is the name a tunnelled API server has for kubectl.
const apiServerHost = "onepipe-api-server"

func (p *existingProvider) Reach(ctx context.Context, e Engine) (*Cluster, error) {
	bins, err := cachedBinaries(ctx, e.Dag, e.Cache)
	if err != nil {
		return nil, err
	}
	name, kubeconfig, base := "the cluster of "+p.ref, p.kubeconfig, kubectlContainer(e.Dag, bins)
	if u, ok := kube.LoopbackServer([]byte(kubeconfig)); ok {
		// a container cannot reach this machine's loopback: tunnel the port
		port, _ := strconv.Atoi(u.Port())
		svc := p.apiServer
		if svc == nil {
			svc = e.Dag.Host().Service([]dagger.PortForward{{Backend: port, Frontend: port}}, dagger.HostServiceOpts{Host: u.Hostname()})
		}
		rewritten, err := kube.WithServer([]byte(kubeconfig), u, fmt.Sprintf("https://%s:%d", apiServerHost, port))
		if err != nil {
			return nil, fmt.Errorf("kubeconfig from %s: %w", p.ref, err)
		}
		kubeconfig, base = string(rewritten), base.WithServiceBinding(apiServerHost, svc)
	}
	return newCluster(name, base, NewSecret(e.Dag, SecretKubeconfig, p.ref, kubeconfig)), nil
}

// PullsImages is true: the cluster pulls the pushed image.
func (p *existingProvider) PullsImages() bool { return true }
