package pipeline

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/kube"
)

// Cluster is a Kubernetes cluster the deploy stage can reach: a kubectl
// container whose kubeconfig is a secret mounted at kube.KubeconfigPath.
// Make one with (*LocalCluster).Ensure or ExistingCluster.
type Cluster struct {
	// Name describes the cluster in messages, e.g. "local cluster dev".
	Name string
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

// KubectlImage holds kubectl for clusters onepipe does not run itself. The
// local cluster uses the kubectl built with it (KubernetesVersion).
const KubectlImage = "bitnami/kubectl:latest"

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

// ExistingCluster is a cluster reached with the given kubeconfig (provider
// existing, or the kubeconfig that kops and AKS hand on).
func ExistingCluster(dag *dagger.Client, name string, kubeconfig *dagger.Secret) *Cluster {
	return newCluster(name, dag.Container().From(KubectlImage).WithoutEntrypoint(), kubeconfig)
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
