package plan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/onepipe/onepipe/pipeline"
)

// Teardown is what `onepipe down` removes: the namespace a deploy of the
// environment created, with everything in it, on the environment's cluster.
type Teardown struct {
	// EnvName names the environment; Review the review environment, if any.
	EnvName, Review string
	// Namespace is the environment's namespace (the review environment's
	// with Deploy.Review).
	Namespace string
	// Provider names the cluster provider (local, existing, kops, aks);
	// Cluster reaches the cluster without creating or changing it.
	Provider string
	Cluster  pipeline.ClusterProvider
}

// clusterNamespaces belong to the cluster, not to an app: down never
// deletes them, whatever an environment's namespace setting says.
var clusterNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// Down plans the teardown of environment envName: d's review name and
// cluster flags apply as they do for a deploy. A protected environment
// (prod) is torn down only with allowProtected; a review environment of it
// needs no such flag.
func (a *App) Down(envName string, d Deploy, allowProtected bool, env Environment) (*Teardown, error) {
	e, err := a.Config.Environment(envName)
	if err != nil {
		return nil, err
	}
	if !pipeline.TargetUsesCluster(a.Config, envName) {
		return nil, fmt.Errorf("environment %s deploys to %s, not to a Kubernetes cluster: onepipe down deletes Kubernetes namespaces only", envName, pipeline.TargetName(a.Config, envName))
	}
	if d.Review != "" {
		if e, err = ReviewEnvironment(e, d.Review); err != nil {
			return nil, err
		}
	} else if e.Protected && !allowProtected {
		return nil, fmt.Errorf("environment %s is protected: pass --allow-protected to delete its namespace %s and everything in it", envName, e.Namespace)
	}
	if slices.Contains(clusterNamespaces, e.Namespace) {
		return nil, fmt.Errorf("namespace %s of environment %s belongs to the cluster, not to the app: onepipe down deletes whole namespaces, so delete the app's objects with onepipe kubectl instead", e.Namespace, envName)
	}
	cl, err := clusterWithFlags(e.Cluster, d)
	if err != nil {
		return nil, err
	}
	cluster, err := a.Cluster(envName, d, env)
	if err != nil {
		return nil, err
	}
	return &Teardown{EnvName: envName, Review: d.Review, Namespace: e.Namespace, Provider: cl.ProviderName(), Cluster: cluster}, nil
}

// Plan describes the teardown, one line each, for --dry-run: timeout bounds
// the wait until the namespace is gone. It calls nothing.
func (t *Teardown) Plan(timeout time.Duration) []string {
	env := "environment " + t.EnvName
	if t.Review != "" {
		env = fmt.Sprintf("review environment %s of %s", t.Review, env)
	}
	lines := []string{fmt.Sprintf("down: delete namespace %s (%s) and everything in it, on the %s cluster:", t.Namespace, env, t.Provider)}
	for _, l := range t.Cluster.Plan() {
		lines = append(lines, "  "+l)
	}
	return append(lines, "  "+strings.Join(t.DeleteArgs(timeout), " "))
}

// DefaultDownTimeout bounds the wait until the namespace is gone.
const DefaultDownTimeout = 5 * time.Minute

// DeleteArgs is the kubectl command that deletes the namespace and waits, at
// most timeout, until it is gone; a namespace that is not there is no error.
func (t *Teardown) DeleteArgs(timeout time.Duration) []string {
	return []string{"kubectl", "delete", "namespace", t.Namespace, "--ignore-not-found", "--wait=true", "--timeout=" + timeout.String()}
}
