package pipeline

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/kube"
	"github.com/onepipe/onepipe/internal/versions"
)

// ClusterProvider makes sure an environment's Kubernetes cluster exists and
// hands out a way to reach it. Each provider (local, existing, kops, aks)
// is one type in its own file, registered in clusterProviders.
type ClusterProvider interface {
	// Plan describes what Ensure would do, one line each, for onepipe plan.
	// It calls nothing.
	Plan() []string
	// Ensure creates the cluster when it is missing (an existing cluster is
	// never changed), waits until it answers and returns it.
	Ensure(ctx context.Context, e Engine) (*Cluster, error)
	// Reach returns the cluster as it is, creating and changing nothing
	// (onepipe kubectl). The local cluster is started, with its kept state.
	Reach(ctx context.Context, e Engine) (*Cluster, error)
	// PullsImages says whether the cluster pulls the images it runs from a
	// registry (so a deploy needs a pushed image), or runs what the engine
	// built (the local cluster).
	PullsImages() bool
}

// ClusterInput is what a provider is made from, before any work starts.
type ClusterInput struct {
	// Env names the environment, for messages (environments.ENV.cluster).
	Env string
	// Cluster is the environment's cluster with the command's flags applied.
	Cluster config.Cluster
	// Azure holds the service principal AKS signs in with.
	Azure config.Azure
	// Secret resolves a secret reference; field names the setting in errors.
	// Providers resolve every secret they need when they are made, so that
	// a missing one fails before any work.
	Secret func(field, ref string) (string, error)
	// Images lists, when the cluster starts, the images the release names
	// and the app's own among them: a real local node loads them from the
	// engine. It is called by Ensure, once the release is planned.
	Images func() (refs []string, app string)
	// APIServer is how an existing cluster's API server on the caller's
	// loopback is reached, when the caller tunnels it itself (a Dagger
	// function, which has no host of its own: tcp://localhost:PORT); nil:
	// through the engine's host tunnel.
	APIServer *dagger.Service
}

// newClusterProvider makes one provider from its settings, or says what is wrong.
type newClusterProvider func(ClusterInput) (ClusterProvider, error)

// clusterProviders is the one registry of cluster providers, by the name
// environments.ENV.cluster.provider (or --cluster) gives.
var clusterProviders = map[string]newClusterProvider{
	config.ProviderLocal:    newLocalProvider,
	config.ProviderExisting: newExistingProvider,
	config.ProviderKops:     newKopsProvider,
	config.ProviderAKS:      newAKSProvider,
}

// ClusterProviders lists the provider names, sorted.
func ClusterProviders() []string { return slices.Sorted(maps.Keys(clusterProviders)) }

// NewClusterProvider checks the environment's cluster settings and makes its
// provider; in.Secret resolves the secrets it needs.
func NewClusterProvider(in ClusterInput) (ClusterProvider, error) {
	name := in.Cluster.ProviderName()
	newProvider, ok := clusterProviders[name]
	if !ok {
		return nil, fmt.Errorf("environments.%s.cluster.provider %q: use %s", in.Env, name, OrList(ClusterProviders()))
	}
	if _, err := in.Cluster.TimeoutDuration(); err != nil {
		return nil, fmt.Errorf("environments.%s.cluster: %w", in.Env, err)
	}
	if in.Secret == nil {
		in.Secret = func(string, string) (string, error) { return "", nil }
	}
	return newProvider(in)
}

// OrList joins names for a message: "a, b or c".
func OrList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// CheckClusters checks the cluster settings of every environment (without
// resolving secrets), so that a typo in one fails before any work.
func CheckClusters(cfg config.Config) error {
	for _, env := range cfg.EnvironmentNames() {
		_, err := NewClusterProvider(ClusterInput{Env: env, Cluster: cfg.Environments[env].Cluster, Azure: cfg.Azure})
		if err != nil {
			return err
		}
	}
	return nil
}

// Engine is what a cluster provider and a deploy target work with.
type Engine struct {
	Dag *dagger.Client
	// Pipeline is the app's pipeline: its image (nil outside a run, e.g.
	// onepipe kubectl).
	Pipeline *Pipeline
	// Log receives a line per step.
	Log io.Writer
	// Cache keeps the local cluster's binaries and base image in a registry
	// for fresh engines (nil: none).
	Cache *RegistryCache
}

func (e Engine) log() io.Writer {
	if e.Log == nil {
		return io.Discard
	}
	return e.Log
}

// Cluster is a Kubernetes cluster the deploy stage can reach: a kubectl
// container whose kubeconfig is a secret mounted at kube.KubeconfigPath.
// Providers make them (ClusterProvider.Ensure).
type Cluster struct {
	// Name describes the cluster in messages, e.g. "local cluster dev".
	Name string
	// InEngine is true when the cluster runs inside the engine and pulls no
	// image: it runs the images the engine built or loaded, not pushed ones.
	InEngine bool
	// Simulated is true when the cluster runs no containers (the local kwok
	// node): the smoke checks then run against the app's image started as a
	// Dagger service instead of against the cluster.
	Simulated bool
	// PortForward is true when this machine cannot reach the app's address
	// (the real local node): the smoke checks go through kubectl
	// port-forward, run as a Dagger service.
	PortForward bool

	kubectl *dagger.Container
	run     string // unique per onepipe run: keeps kubectl calls out of the cache
	calls   atomic.Int64
}

// kubectlContainer is Debian with the kubectl onepipe builds
// (versions.Kubernetes, the local cluster's own), so every cluster is reached
// with one pinned kubectl.
func kubectlContainer(dag *dagger.Client, bins *dagger.Directory) *dagger.Container {
	return dag.Container().
		From(versions.DebianImage).
		WithFile("/usr/local/bin/kubectl", bins.File("k8s-allinone"))
}

// newCluster wraps a kubectl container that reads kubeconfig.
func newCluster(name string, base *dagger.Container, kubeconfig *dagger.Secret) *Cluster {
	return &Cluster{
		Name: name,
		kubectl: base.
			WithMountedSecret(kube.KubeconfigPath, kubeconfig).
			WithEnvVariable("KUBECONFIG", kube.KubeconfigPath).
			WithWorkdir("/onepipe"),
		run: strconv.FormatInt(time.Now().UnixNano(), 36),
	}
}

// kubeconfigCluster is a cluster reached with the given kubeconfig (provider
// existing, or the kubeconfig that kops and AKS hand on).
func kubeconfigCluster(ctx context.Context, e Engine, name string, kubeconfig *dagger.Secret) (*Cluster, error) {
	bins, err := cachedBinaries(ctx, e.Dag, e.Cache)
	if err != nil {
		return nil, err
	}
	return newCluster(name, kubectlContainer(e.Dag, bins), kubeconfig), nil
}

// Kubectl is the container the deploy steps run in. Every exec on it (see
// Exec) runs again each time: kubectl talks to a live cluster, so no result
// may come from the engine's cache.
func (c *Cluster) Kubectl() *dagger.Container { return c.kubectl }

// Ready checks that the API server answers with the given credentials.
func (c *Cluster) Ready(ctx context.Context) error {
	if _, err := c.Exec(ctx, c.kubectl, []string{"kubectl", "version", "--output=yaml"}); err != nil {
		return fmt.Errorf("%s is not reachable: %w", c.Name, err)
	}
	return nil
}

// Exec runs args in ctr (a container derived from Kubectl) and returns its
// stdout; a non-zero exit is a *CommandError carrying the last line of stderr.
func (c *Cluster) Exec(ctx context.Context, ctr *dagger.Container, args []string) (string, error) {
	_, out, err := execFresh(ctx, ctr, args, fmt.Sprintf("%s-%d", c.run, c.calls.Add(1)))
	return out, err
}

// execFresh runs args in ctr, never from the engine's cache (bust is unique
// per call), and returns the container after it with its stdout; a non-zero
// exit is a *CommandError carrying the last line of stderr.
func execFresh(ctx context.Context, ctr *dagger.Container, args []string, bust string) (*dagger.Container, string, error) {
	done := ctr.
		WithEnvVariable("ONEPIPE_CALL", bust).
		WithExec(args, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	code, err := done.ExitCode(ctx)
	if err != nil {
		return done, "", Explain(err)
	}
	out, err := done.Stdout(ctx)
	if err != nil {
		return done, "", Explain(err)
	}
	if code != 0 {
		stderr, _ := done.Stderr(ctx)
		last := lastLine(stderr)
		if last == "" {
			last = lastLine(out)
		}
		return done, out, &CommandError{Cmd: args, ExitCode: code, Output: last, Stderr: stderr}
	}
	return done, out, nil
}
