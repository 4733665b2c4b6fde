package cloud

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/config"
)

// kops has no REST API: it is a CLI that keeps cluster specs in a state store
// (gs://bucket on GCE) and drives the cloud's APIs itself. onepipe runs it in
// a container; this file builds its command lines.

// KopsVersion is the kops release onepipe runs. kops publishes no image of
// its CLI: the cluster stage downloads the static binary (KopsBinaryURL)
// into an image with CA certificates.
const KopsVersion = "v1.32.0"

// KopsBinaryURL is where the kops release version for linux/arch (amd64,
// arm64) is downloaded from.
func KopsBinaryURL(version, arch string) string {
	return "https://github.com/kubernetes/kops/releases/download/" + version + "/kops-linux-" + arch
}

// Paths in the kops container.
const (
	// KopsCredentialsPath is where the GCP service account key is mounted as a
	// secret; GOOGLE_APPLICATION_CREDENTIALS points at it.
	KopsCredentialsPath = "/run/secrets/gcp-credentials.json"
	// KopsKubeconfigPath is where ExportKubeconfigArgs writes the kubeconfig.
	KopsKubeconfigPath = "/onepipe/kubeconfig"
)

// Kops defaults.
const (
	DefaultKopsNodeCount   = 2
	DefaultKopsMachineType = "e2-standard-2"
	// DefaultKopsAdminTTL is how long the exported admin credential lives.
	DefaultKopsAdminTTL = 2 * time.Hour
)

// Kops describes a kops cluster on GCE.
type Kops struct {
	Name, StateStore, Project              string
	Zones                                  []string
	NodeCount                              int
	NodeSize, ControlPlaneSize, K8sVersion string
	// ValidateWait bounds kops validate cluster --wait.
	ValidateWait time.Duration
	// AdminTTL is the lifetime of the exported admin credential.
	AdminTTL time.Duration
}

// NewKops reads the cluster settings of environment env, defaults applied.
func NewKops(env string, c config.Cluster) (Kops, error) {
	if c.ProviderName() != config.ProviderKops {
		return Kops{}, fmt.Errorf("environments.%s.cluster.provider is %s, not kops", env, c.ProviderName())
	}
	if err := c.Validate(env); err != nil {
		return Kops{}, err
	}
	wait, err := c.TimeoutDuration()
	if err != nil {
		return Kops{}, err
	}
	k := Kops{
		Name: c.Name, StateStore: strings.TrimRight(c.Kops.StateStore, "/"), Project: c.Kops.Project,
		Zones: c.Kops.Zones, NodeCount: c.Kops.NodeCount, NodeSize: c.Kops.NodeSize,
		ControlPlaneSize: c.Kops.ControlPlaneSize, K8sVersion: c.Kops.KubernetesVersion,
		ValidateWait: wait, AdminTTL: DefaultKopsAdminTTL,
	}
	if k.NodeCount == 0 {
		k.NodeCount = DefaultKopsNodeCount
	}
	if k.NodeSize == "" {
		k.NodeSize = DefaultKopsMachineType
	}
	if k.ControlPlaneSize == "" {
		k.ControlPlaneSize = DefaultKopsMachineType
	}
	return k, nil
}

// Env is the kops container's environment (values are paths, not secrets).
func (k Kops) Env() map[string]string {
	return map[string]string{"GOOGLE_APPLICATION_CREDENTIALS": KopsCredentialsPath}
}

// GetArgs prints the cluster's spec as JSON; it fails with "cluster not
// found" when the state store has no such cluster (see KopsMissing).
func (k Kops) GetArgs() []string {
	return []string{"kops", "get", "cluster", k.Name, "--state=" + k.StateStore, "-o=json"}
}

// KopsMissing reports whether a failed GetArgs run said the cluster does not
// exist, as opposed to any other failure (credentials, state store).
func KopsMissing(stderr string) bool {
	s := strings.ToLower(stderr)
	return strings.Contains(s, "cluster not found") || strings.Contains(s, "no clusters found")
}

// CreateArgs writes the cluster's spec to the state store (without --yes
// kops creates no cloud resources; UpdateArgs(true) does).
func (k Kops) CreateArgs() []string {
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
func (k Kops) UpdateArgs(yes bool) []string {
	args := []string{"kops", "update", "cluster", "--name=" + k.Name, "--state=" + k.StateStore}
	if yes {
		args = append(args, "--yes")
	}
	return args
}

// ExportKubeconfigArgs writes a kubeconfig with an admin credential valid
// for AdminTTL to KopsKubeconfigPath.
func (k Kops) ExportKubeconfigArgs() []string {
	ttl := k.AdminTTL
	if ttl <= 0 {
		ttl = DefaultKopsAdminTTL
	}
	return []string{"kops", "export", "kubeconfig", "--name=" + k.Name, "--state=" + k.StateStore,
		"--admin=" + ttl.String(), "--kubeconfig=" + KopsKubeconfigPath}
}

// ValidateArgs waits until the nodes and system pods are ready, at most
// ValidateWait.
func (k Kops) ValidateArgs() []string {
	wait := k.ValidateWait
	if wait <= 0 {
		wait = config.DefaultClusterTimeout
	}
	return []string{"kops", "validate", "cluster", "--name=" + k.Name, "--state=" + k.StateStore,
		"--wait=" + wait.String(), "--kubeconfig=" + KopsKubeconfigPath}
}

// KopsStep is one kops command and what it does.
type KopsStep struct {
	Desc string
	Args []string
}

// Steps are the commands after GetArgs: for a missing cluster create the
// spec and build it; for both, export a kubeconfig and wait until the
// cluster validates. An existing cluster is never changed.
func (k Kops) Steps(exists bool) []KopsStep {
	var steps []KopsStep
	if !exists {
		steps = append(steps,
			KopsStep{"write the spec of cluster " + k.Name + " to " + k.StateStore, k.CreateArgs()},
			KopsStep{"create the cloud resources of cluster " + k.Name, k.UpdateArgs(true)})
	}
	return append(steps,
		KopsStep{"export an admin kubeconfig for cluster " + k.Name, k.ExportKubeconfigArgs()},
		KopsStep{"wait for cluster " + k.Name + " to validate", k.ValidateArgs()})
}

// Plan says what the cluster stage would do, for onepipe plan.
func (k Kops) Plan() []string {
	v := "the channel's Kubernetes version"
	if k.K8sVersion != "" {
		v = "Kubernetes " + k.K8sVersion
	}
	return []string{
		fmt.Sprintf("kops %s: cluster %s in state store %s: use it if it exists (unchanged; %q previews pending changes)",
			KopsVersion, k.Name, k.StateStore, strings.Join(k.UpdateArgs(false), " ")),
		fmt.Sprintf("otherwise create it on GCE project %s, zones %s: %d × %s nodes, control plane %s, %s",
			k.Project, strings.Join(k.Zones, ","), k.NodeCount, k.NodeSize, k.ControlPlaneSize, v),
		fmt.Sprintf("export an admin kubeconfig (valid %s) and wait up to %s for kops validate cluster", k.adminTTL(), k.wait()),
	}
}

func (k Kops) adminTTL() time.Duration {
	if k.AdminTTL <= 0 {
		return DefaultKopsAdminTTL
	}
	return k.AdminTTL
}

func (k Kops) wait() time.Duration {
	if k.ValidateWait <= 0 {
		return config.DefaultClusterTimeout
	}
	return k.ValidateWait
}
