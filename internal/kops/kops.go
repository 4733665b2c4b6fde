// Package kops makes sure the kops cluster of an environment exists on GCE.
// kops has no REST API: it is a CLI that keeps cluster specs in a state store
// (gs://bucket on GCE) and drives the cloud's APIs itself. onepipe runs it in
// a container (the cluster stage, pipeline.Kops); this package builds its
// command lines as argv slices and describes them for onepipe plan.
package kops

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/config"
)

// BinaryURL is where the kops release version for linux/arch (amd64,
// arm64) is downloaded from.
func BinaryURL(version, arch string) string {
	return "https://github.com/kubernetes/kops/releases/download/" + version + "/kops-linux-" + arch
}

// Paths in the kops container.
const (
	// CredentialsPath is where the GCP service account key is mounted as a
	// secret; GOOGLE_APPLICATION_CREDENTIALS points at it.
	CredentialsPath = "/run/secrets/gcp-credentials.json"
	// KubeconfigPath is where ExportKubeconfigArgs writes the kubeconfig.
	KubeconfigPath = "/onepipe/kubeconfig"
)

// Defaults.
const (
	DefaultNodeCount   = 2
	DefaultMachineType = "e2-standard-2"
	// DefaultAdminTTL is how long the exported admin credential lives.
	DefaultAdminTTL = 2 * time.Hour
)

// Cluster describes a kops cluster on GCE.
type Cluster struct {
	Name, StateStore, Project              string
	Zones                                  []string
	NodeCount                              int
	NodeSize, ControlPlaneSize, K8sVersion string
	// ValidateWait bounds kops validate cluster --wait.
	ValidateWait time.Duration
	// AdminTTL is the lifetime of the exported admin credential.
	AdminTTL time.Duration
}

var (
	// clusterName is a DNS-style name (kops uses it for DNS, or gossip with .k8s.local).
	clusterName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$`)
	zoneName    = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// New reads the kops cluster settings of environment env, checks them and
// applies the defaults. Errors name the field (environments.ENV.cluster...)
// and what to write there.
func New(env string, c config.Cluster) (Cluster, error) {
	at := "environments." + env + ".cluster"
	if c.ProviderName() != config.ProviderKops {
		return Cluster{}, fmt.Errorf("%s.provider is %s, not kops", at, c.ProviderName())
	}
	wait, err := c.TimeoutDuration()
	if err != nil {
		return Cluster{}, fmt.Errorf("%s: %w", at, err)
	}
	if err := check(at, c); err != nil {
		return Cluster{}, err
	}
	k := Cluster{
		Name: c.Name, StateStore: strings.TrimRight(c.Kops.StateStore, "/"), Project: c.Kops.Project,
		Zones: c.Kops.Zones, NodeCount: c.Kops.NodeCount, NodeSize: c.Kops.NodeSize,
		ControlPlaneSize: c.Kops.ControlPlaneSize, K8sVersion: c.Kops.KubernetesVersion,
		ValidateWait: wait, AdminTTL: DefaultAdminTTL,
	}
	if k.NodeCount == 0 {
		k.NodeCount = DefaultNodeCount
	}
	if k.NodeSize == "" {
		k.NodeSize = DefaultMachineType
	}
	if k.ControlPlaneSize == "" {
		k.ControlPlaneSize = DefaultMachineType
	}
	return k, nil
}

// check checks the name and the kops settings of c; at is the field path
// of the cluster.
func check(at string, c config.Cluster) error {
	k := c.Kops
	switch {
	case !clusterName.MatchString(c.Name):
		return fmt.Errorf("%s.name %q: kops needs a DNS-style name, e.g. shop.k8s.local", at, c.Name)
	case !strings.HasPrefix(k.StateStore, "gs://") || len(k.StateStore) <= len("gs://"):
		return fmt.Errorf("%s.kops.stateStore %q: use a Cloud Storage bucket, e.g. gs://acme-kops-state", at, k.StateStore)
	case k.Project == "":
		return fmt.Errorf("%s.kops.project: name the GCP project the cluster runs in", at)
	case len(k.Zones) == 0:
		return fmt.Errorf("%s.kops.zones: list at least one zone, e.g. [europe-west1-b]", at)
	case k.NodeCount < 0:
		return fmt.Errorf("%s.kops.nodeCount %d is negative", at, k.NodeCount)
	}
	for _, z := range k.Zones {
		if !zoneName.MatchString(z) {
			return fmt.Errorf("%s.kops.zones: %q is not a zone name, e.g. europe-west1-b", at, z)
		}
	}
	return nil
}

// Env is the kops container's environment (values are paths, not secrets).
func (k Cluster) Env() map[string]string {
	return map[string]string{"GOOGLE_APPLICATION_CREDENTIALS": CredentialsPath}
}

// GetArgs prints the cluster's spec as JSON; it fails with "cluster not
// found" when the state store has no such cluster (see Missing).
func (k Cluster) GetArgs() []string {
	return []string{"kops", "get", "cluster", k.Name, "--state=" + k.StateStore, "-o=json"}
}

// Missing reports whether a failed GetArgs run said the cluster does not
// exist, as opposed to any other failure (credentials, state store).
func Missing(stderr string) bool {
	s := strings.ToLower(stderr)
	return strings.Contains(s, "cluster not found") || strings.Contains(s, "no clusters found")
}

// CreateArgs writes the cluster's spec to the state store (without --yes
// kops creates no cloud resources; UpdateArgs(true) does).
func (k Cluster) CreateArgs() []string {
	args := []string{"kops", "create", "cluster", "--name=" + k.Name, "--state=" + k.StateStore,
		"--cloud=gce", "--project=" + k.Project, "--zones=" + strings.Join(k.Zones, ",")}
	if len(k.Zones) > 0 {
		args = append(args, "--control-plane-zones="+k.Zones[0]) // one control-plane node
	}
	args = append(args, "--node-count="+strconv.Itoa(k.NodeCount), "--node-size="+k.NodeSize, "--control-plane-size="+k.ControlPlaneSize)
	if k.K8sVersion != "" {
		args = append(args, "--kubernetes-version="+k.K8sVersion)
	}
	return args
}

// UpdateArgs makes the cloud match the spec; without yes it only prints the
// changes it would make (a preview, for onepipe plan).
func (k Cluster) UpdateArgs(yes bool) []string {
	args := []string{"kops", "update", "cluster", "--name=" + k.Name, "--state=" + k.StateStore}
	if yes {
		args = append(args, "--yes")
	}
	return args
}

// ExportKubeconfigArgs writes a kubeconfig with an admin credential valid
// for AdminTTL to KubeconfigPath.
func (k Cluster) ExportKubeconfigArgs() []string {
	ttl := k.AdminTTL
	if ttl <= 0 {
		ttl = DefaultAdminTTL
	}
	return []string{"kops", "export", "kubeconfig", "--name=" + k.Name, "--state=" + k.StateStore,
		"--admin=" + ttl.String(), "--kubeconfig=" + KubeconfigPath}
}

// ValidateArgs waits until the nodes and system pods are ready, at most
// ValidateWait.
func (k Cluster) ValidateArgs() []string {
	wait := k.ValidateWait
	if wait <= 0 {
		wait = config.DefaultClusterTimeout
	}
	return []string{"kops", "validate", "cluster", "--name=" + k.Name, "--state=" + k.StateStore,
		"--wait=" + wait.String(), "--kubeconfig=" + KubeconfigPath}
}

// Step is one kops command and what it does.
type Step struct {
	Desc string
	Args []string
}

// Steps are the commands after GetArgs: for a missing cluster create the
// spec and build it; for both, export a kubeconfig and wait until the
// cluster validates. An existing cluster is never changed.
func (k Cluster) Steps(exists bool) []Step {
	var steps []Step
	if !exists {
		steps = append(steps,
			Step{"write the spec of cluster " + k.Name + " to " + k.StateStore, k.CreateArgs()},
			Step{"create the cloud resources of cluster " + k.Name, k.UpdateArgs(true)})
	}
	return append(steps,
		Step{"export an admin kubeconfig for cluster " + k.Name, k.ExportKubeconfigArgs()},
		Step{"wait for cluster " + k.Name + " to validate", k.ValidateArgs()})
}

// Plan says what the cluster stage would do, for onepipe plan.
func (k Cluster) Plan() []string {
	v := "the channel's Kubernetes version"
	if k.K8sVersion != "" {
		v = "Kubernetes " + k.K8sVersion
	}
	return []string{
		fmt.Sprintf("cluster %s in state store %s: use it if it exists (unchanged; %q previews pending changes)",
			k.Name, k.StateStore, strings.Join(k.UpdateArgs(false), " ")),
		fmt.Sprintf("otherwise create it on GCE project %s, zones %s: %d × %s nodes, control plane %s, %s",
			k.Project, strings.Join(k.Zones, ","), k.NodeCount, k.NodeSize, k.ControlPlaneSize, v),
		fmt.Sprintf("export an admin kubeconfig (valid %s) and wait up to %s for kops validate cluster", k.adminTTL(), k.wait()),
	}
}

func (k Cluster) adminTTL() time.Duration {
	if k.AdminTTL <= 0 {
		return DefaultAdminTTL
	}
	return k.AdminTTL
}

func (k Cluster) wait() time.Duration {
	if k.ValidateWait <= 0 {
		return config.DefaultClusterTimeout
	}
	return k.ValidateWait
}
