package config

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"
	"unicode"
)

// Deploy configures the Kubernetes deploy stage.
type Deploy struct {
	// Manifests is the folder of Kubernetes manifest templates (default deploy/k8s).
	Manifests string `json:"manifests,omitempty"`
	// Port is the port the app listens on inside its container (default 8000).
	Port int `json:"port,omitempty"`
	// Migration is the command run as a Job before the app rolls out, e.g.
	// [flask, db, upgrade]. Empty means no migration.
	Migration []string `json:"migration,omitempty"`
	// Smoke are the HTTP checks run after the rollout, in order; a failure
	// rolls the app back.
	Smoke []SmokeCheck `json:"smoke,omitempty"`
	// Timeout bounds each wait (rollout, migration, smoke), e.g. 3m (default 5m).
	Timeout string `json:"timeout,omitempty"`
	// SmokeEnv are variables set only where the local cluster's smoke checks
	// run the app's image as a Dagger service (its kwok node runs no pods):
	// that service gets the environment's vars and secrets, then these, e.g.
	// DATABASE_URL: sqlite:////tmp/smoke.db when the database the cluster
	// would provide is not there.
	SmokeEnv map[string]string `json:"smokeEnv,omitempty"`
	// Chart deploys the app with a Helm chart instead of the manifests: a
	// chart folder in the app or a chart reference with a pinned version,
	// with values files per environment (see Chart).
	Chart *Chart `json:"chart,omitempty"`
}

// Deploy defaults.
const (
	DefaultManifests     = "deploy/k8s"
	DefaultPort          = 8000
	DefaultDeployTimeout = 5 * time.Minute
)

// SmokeCheck is one HTTP request made against the deployed app. Path, Body,
// header values and Contains may use {{.name}} to insert a value captured
// from an earlier check's response, or {{.run}}, a value unique to this run (for
// user names that must not collide). Values are inserted as they are.
type SmokeCheck struct {
	// Name describes the check in the output.
	Name string `json:"name,omitempty"`
	// Method is the HTTP method (default GET, or POST when Body is set).
	Method string `json:"method,omitempty"`
	// Path is requested on the app's address, e.g. /api/articles.
	Path string `json:"path"`
	// Body is the request body, sent as application/json unless the
	// headers set Content-Type.
	Body string `json:"body,omitempty"`
	// Headers are added to the request, e.g. Authorization: Token {{.token}}.
	Headers map[string]string `json:"headers,omitempty"`
	// Status is the expected HTTP status (default 200).
	Status int `json:"status,omitempty"`
	// Contains is a substring the response body must contain.
	Contains string `json:"contains,omitempty"`
	// Capture names values to keep from the JSON response, by dotted path:
	// {token: user.token} keeps response["user"]["token"] as {{.token}};
	// a number indexes an array (articles.0.slug).
	Capture map[string]string `json:"capture,omitempty"`
}

// Cluster says where an environment runs and how to reach it.
type Cluster struct {
	// Provider is local (an ephemeral cluster run by the engine), kops, aks or
	// existing (use the kubeconfig as given). Default: local.
	Provider string `json:"provider,omitempty"`
	// Kubeconfig is a secret reference (env:NAME or file:PATH) to the
	// kubeconfig; required for existing, ignored by the others, which make one.
	Kubeconfig string `json:"kubeconfig,omitempty"`
	// Name is the cluster's name: the kops cluster name (e.g.
	// shop.k8s.local, gossip DNS) or the AKS resource name.
	Name string `json:"name,omitempty"`
	// Timeout bounds the wait for the cluster to be ready (default 20m).
	Timeout string `json:"timeout,omitempty"`
	// LocalNode is the node of provider local: kwok (default; marks pods
	// Ready without running them, no privileges) or real (a kubelet with
	// containerd that runs the pods; needs the engine to grant root
	// capabilities). The engine loads the images the manifests name into the
	// real node: the app's from pack, the others pulled by the engine.
	LocalNode string `json:"localNode,omitempty"`
	// Kops configures provider kops (GCE, with a Cloud Storage state store).
	Kops KopsCluster `json:"kops,omitempty"`
	// AKS configures provider aks (Azure Kubernetes Service).
	AKS AKSCluster `json:"aks,omitempty"`
}

// Cluster providers.
const (
	ProviderLocal    = "local"
	ProviderKops     = "kops"
	ProviderAKS      = "aks"
	ProviderExisting = "existing"
)

// Local cluster nodes.
const (
	LocalNodeKwok = "kwok"
	LocalNodeReal = "real"
)

// DefaultClusterTimeout bounds the wait for a cluster to be ready.
const DefaultClusterTimeout = 20 * time.Minute

// KopsCluster is a kops cluster on Google Compute Engine.
type KopsCluster struct {
	// StateStore is the kops state store, e.g. gs://acme-kops-state.
	StateStore string `json:"stateStore,omitempty"`
	// Project is the GCP project the cluster is created in.
	Project string `json:"project,omitempty"`
	// Zones are the zones nodes (and the control plane) run in, e.g. [europe-west1-b].
	Zones []string `json:"zones,omitempty"`
	// NodeCount is the number of worker nodes (default 2).
	NodeCount int `json:"nodeCount,omitempty"`
	// NodeSize and ControlPlaneSize are machine types (default e2-standard-2).
	NodeSize         string `json:"nodeSize,omitempty"`
	ControlPlaneSize string `json:"controlPlaneSize,omitempty"`
	// KubernetesVersion pins the version (default: the kops channel's).
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// Credentials is a secret reference to a GCP service account key (JSON).
	Credentials string `json:"credentials,omitempty"`
}

// AKSCluster is an Azure Kubernetes Service cluster. Sign-in uses the
// service principal of the azure section.
type AKSCluster struct {
	// SubscriptionID holds the cluster (default: azure.subscriptionId).
	SubscriptionID string `json:"subscriptionId,omitempty"`
	// ResourceGroup holds the cluster; it is created when missing.
	ResourceGroup string `json:"resourceGroup,omitempty"`
	// Location is the Azure region, e.g. westeurope.
	Location string `json:"location,omitempty"`
	// NodeCount is the number of nodes of the system pool (default 2).
	NodeCount int `json:"nodeCount,omitempty"`
	// VMSize is the nodes' VM size (default Standard_D2s_v3).
	VMSize string `json:"vmSize,omitempty"`
	// KubernetesVersion pins the version (default: AKS's default).
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// DNSPrefix of the API server's name (default: the cluster name).
	DNSPrefix string `json:"dnsPrefix,omitempty"`
	// Admin fetches the cluster admin kubeconfig instead of the user one
	// (needed when the user kubeconfig requires kubelogin, on Entra ID clusters).
	Admin bool `json:"admin,omitempty"`
}

var (
	captureName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	envName      = captureName
	headerName   = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	smokeMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}
)

// WithDefaults fills what the deploy section left out.
func (d Deploy) WithDefaults() Deploy {
	if d.Manifests == "" {
		d.Manifests = DefaultManifests
	}
	if d.Port == 0 {
		d.Port = DefaultPort
	}
	return d
}

// TimeoutDuration is Timeout parsed, or the default when it is empty.
func (d Deploy) TimeoutDuration() (time.Duration, error) {
	return duration("deploy.timeout", d.Timeout, DefaultDeployTimeout)
}

// Validate checks the deploy section.
func (d Deploy) Validate() error {
	if d.Manifests != "" {
		clean := path.Clean(strings.ReplaceAll(d.Manifests, `\`, "/"))
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("deploy.manifests %q: use a folder inside the app's source, e.g. deploy/k8s", d.Manifests)
		}
	}
	if d.Port < 0 || d.Port > 65535 {
		return fmt.Errorf("deploy.port %d: use a port between 1 and 65535", d.Port)
	}
	if _, err := d.TimeoutDuration(); err != nil {
		return err
	}
	for i, m := range d.Migration {
		if strings.TrimSpace(m) == "" {
			return fmt.Errorf("deploy.migration[%d] is empty: list the command's words, e.g. [flask, db, upgrade]", i)
		}
	}
	for _, k := range sortedKeys(d.SmokeEnv) {
		if !envName.MatchString(k) {
			return fmt.Errorf("deploy.smokeEnv: %q is not an environment variable name: use letters, digits and _", k)
		}
	}
	for i, c := range d.Smoke {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("deploy.smoke[%d]: %w", i, err)
		}
	}
	if d.Chart != nil {
		if d.Manifests != "" {
			return fmt.Errorf("deploy.chart and deploy.manifests are both set: keep one (the chart replaces the manifests)")
		}
		if err := d.Chart.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks one smoke check, including its templates and capture paths.
func (c SmokeCheck) Validate() error {
	if c.Method != "" && !smokeMethods[strings.ToUpper(c.Method)] {
		return fmt.Errorf("method %q: use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", c.Method)
	}
	if !strings.HasPrefix(c.Path, "/") {
		return fmt.Errorf("path %q: start it with /, e.g. /api/health", c.Path)
	}
	if c.Status != 0 && (c.Status < 100 || c.Status > 599) {
		return fmt.Errorf("status %d: use an HTTP status between 100 and 599", c.Status)
	}
	if err := checkTemplate("path", c.Path); err != nil {
		return err
	}
	if err := checkTemplate("body", c.Body); err != nil {
		return err
	}
	if err := checkTemplate("contains", c.Contains); err != nil {
		return err
	}
	for _, k := range sortedKeys(c.Headers) {
		if !headerName.MatchString(k) {
			return fmt.Errorf("headers: %q is not a valid header name", k)
		}
		if err := checkTemplate("headers."+k, c.Headers[k]); err != nil {
			return err
		}
	}
	for _, k := range sortedKeys(c.Capture) {
		if !captureName.MatchString(k) {
			return fmt.Errorf("capture: name %q: use letters, digits and _ (it is used as {{.%s}})", k, k)
		}
		if _, err := ParseJSONPath(c.Capture[k]); err != nil {
			return fmt.Errorf("capture.%s: %w", k, err)
		}
	}
	return nil
}

// ParseJSONPath splits a dotted path into its segments: user.token →
// [user token], articles.0.title → [articles 0 title].
func ParseJSONPath(p string) ([]string, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path: name a field of the JSON response, e.g. user.token")
	}
	if strings.IndexFunc(p, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return nil, fmt.Errorf("path %q has a space or control character: write fields as a.b.c", p)
	}
	parts := strings.Split(p, ".")
	for _, s := range parts {
		if s == "" {
			return nil, fmt.Errorf("path %q has an empty segment: write fields as a.b.c", p)
		}
	}
	return parts, nil
}

// checkTemplate parses a smoke template so that mistakes surface when the
// config is read, not after the deploy.
func checkTemplate(field, s string) error {
	if !strings.Contains(s, "{{") {
		return nil
	}
	if _, err := template.New(field).Option("missingkey=error").Parse(s); err != nil {
		return fmt.Errorf("%s: %v", field, oneLine(err.Error()))
	}
	return nil
}

// ProviderName is Provider with its default applied.
func (c Cluster) ProviderName() string {
	if c.Provider == "" {
		return ProviderLocal
	}
	return c.Provider
}

// TimeoutDuration is Timeout parsed, or the default when it is empty.
func (c Cluster) TimeoutDuration() (time.Duration, error) {
	return duration("cluster.timeout", c.Timeout, DefaultClusterTimeout)
}

func duration(field, s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s %q: use a positive duration such as 90s, 5m or 1h", field, s)
	}
	return d, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
