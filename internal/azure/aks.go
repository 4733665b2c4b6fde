package azure

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
	"github.com/onepipe/onepipe/internal/config"
)

// API versions of the AKS calls.
const (
	// AKSAPIVersion is the Microsoft.ContainerService API version (stable).
	AKSAPIVersion = "2025-10-01"
	// ResourceGroupAPIVersion is the Microsoft.Resources API version.
	ResourceGroupAPIVersion = "2021-04-01"
)

// AKS defaults.
const (
	DefaultAKSNodeCount = 2
	DefaultAKSVMSize    = "Standard_D2s_v3"
	DefaultPollEvery    = 15 * time.Second
)

// AKS makes sure an Azure Kubernetes Service cluster exists and is ready,
// creating it (and its resource group) when missing. An existing cluster is
// never changed: differences from the settings are reported as notes.
type AKS struct {
	SubscriptionID, ResourceGroup, Name, Location string
	NodeCount                                     int
	VMSize, KubernetesVersion, DNSPrefix          string
	// Admin fetches the admin kubeconfig (listClusterAdminCredential).
	Admin bool

	// ARM is the Resource Manager client the calls go through; set its
	// BaseURL for a sovereign cloud.
	ARM ARM
	// PollEvery paces the readiness checks (default 15s); Timeout bounds
	// the wait (default config.DefaultClusterTimeout).
	PollEvery, Timeout time.Duration
}

var (
	aksName       = regexp.MustCompile(`^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$`)
	resourceGroup = regexp.MustCompile(`^[-\w._()]{1,90}$`)
)

// NewAKS reads the AKS cluster settings of environment env, checks them and
// applies the defaults; subscription is used when the cluster names none
// (azure.subscriptionId). Errors name the field
// (environments.ENV.cluster...) and what to write there.
func NewAKS(env string, c config.Cluster, subscription string, tokens arm.TokenSource) (*AKS, error) {
	at := "environments." + env + ".cluster"
	if c.ProviderName() != config.ProviderAKS {
		return nil, fmt.Errorf("%s.provider is %s, not aks", at, c.ProviderName())
	}
	timeout, err := c.TimeoutDuration()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", at, err)
	}
	if err := checkAKS(at, c); err != nil {
		return nil, err
	}
	a := &AKS{
		SubscriptionID: c.AKS.SubscriptionID, ResourceGroup: c.AKS.ResourceGroup, Name: c.Name, Location: c.AKS.Location,
		NodeCount: c.AKS.NodeCount, VMSize: c.AKS.VMSize, KubernetesVersion: c.AKS.KubernetesVersion, DNSPrefix: c.AKS.DNSPrefix,
		Admin: c.AKS.Admin, ARM: ARM{Tokens: tokens}, Timeout: timeout,
	}
	if a.SubscriptionID == "" {
		a.SubscriptionID = subscription
	}
	if a.SubscriptionID == "" {
		return nil, fmt.Errorf("%s.aks.subscriptionId: none set: set it or azure.subscriptionId in %s", at, config.FileName)
	}
	if a.NodeCount == 0 {
		a.NodeCount = DefaultAKSNodeCount
	}
	if a.VMSize == "" {
		a.VMSize = DefaultAKSVMSize
	}
	if a.DNSPrefix == "" {
		a.DNSPrefix = DefaultDNSPrefix(a.Name, a.ResourceGroup, a.SubscriptionID)
	}
	return a, nil
}

// checkAKS checks the name and the aks settings of c; at is the field path
// of the cluster.
func checkAKS(at string, c config.Cluster) error {
	a := c.AKS
	switch {
	case !aksName.MatchString(c.Name):
		return fmt.Errorf("%s.name %q: use 1-63 letters, digits, - and _, starting and ending with a letter or digit", at, c.Name)
	case !resourceGroup.MatchString(a.ResourceGroup) || strings.HasSuffix(a.ResourceGroup, "."):
		return fmt.Errorf("%s.aks.resourceGroup %q: use 1-90 letters, digits, -, _, ., ( and ), not ending in .", at, a.ResourceGroup)
	case a.Location == "":
		return fmt.Errorf("%s.aks.location: name the Azure region, e.g. westeurope", at)
	case a.NodeCount < 0:
		return fmt.Errorf("%s.aks.nodeCount %d is negative", at, a.NodeCount)
	case a.DNSPrefix != "" && !dnsPrefix.MatchString(a.DNSPrefix):
		return fmt.Errorf("%s.aks.dnsPrefix %q: use 1-54 letters, digits and hyphens, starting and ending with a letter or digit (or leave it out for the one az would pick)", at, a.DNSPrefix)
	}
	return nil
}

func (a *AKS) clusterPath() string {
	return "/subscriptions/" + url.PathEscape(a.SubscriptionID) + "/resourceGroups/" + url.PathEscape(a.ResourceGroup) +
		"/providers/Microsoft.ContainerService/managedClusters/" + url.PathEscape(a.Name)
}

func (a *AKS) groupPath() string {
	return "/subscriptions/" + url.PathEscape(a.SubscriptionID) + "/resourcegroups/" + url.PathEscape(a.ResourceGroup)
}

// call sends one request with a JSON body (nil for none) through a.ARM and
// decodes the JSON answer into out (nil to ignore it). Statuses outside ok
// are an *arm.APIError. A GET is sent once (wait polls again on a
// transient answer); a write is tried again on 429 and 503 (WriteTries).
func (a *AKS) call(ctx context.Context, method, path, apiVersion string, body, out any, ok ...int) error {
	_, err := a.send(ctx, method, path, apiVersion, body, out, ok...)
	return err
}

// send is call that also returns the answer, for its headers.
func (a *AKS) send(ctx context.Context, method, path, apiVersion string, body, out any, ok ...int) (*arm.Response, error) {
	tries := 0
	if method == http.MethodGet {
		tries = 1
	}
	return a.ARM.callResp(ctx, armCall{method: method, path: path, apiVersion: apiVersion, body: body, ok: ok, tries: tries}, out)
}

// Request is the body of the create request: a system node pool of
// NodeCount VMSize Linux nodes and a system-assigned identity.
func (a *AKS) Request() ManagedCluster {
	return ManagedCluster{
		Location: a.Location,
		Identity: &ClusterIdentity{Type: "SystemAssigned"},
		Tags:     map[string]string{"managed-by": "onepipe"},
		Properties: ManagedClusterProperties{
			DNSPrefix:         a.DNSPrefix,
			KubernetesVersion: a.KubernetesVersion,
			AgentPoolProfiles: []AgentPool{{Name: "system", Count: a.NodeCount, VMSize: a.VMSize, OSType: "Linux", Mode: "System"}},
		},
	}
}

// Ready is the outcome of Ensure.
type Ready struct {
	// Created is true when this run created the cluster.
	Created bool
	Cluster ManagedCluster
	// Notes list differences between an existing cluster and the settings.
	Notes []string
}

// Ensure creates the cluster when it does not exist (and its resource group
// when that does not exist either) and waits until it is provisioned.
func (a *AKS) Ensure(ctx context.Context) (Ready, error) {
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = config.DefaultClusterTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var mc ManagedCluster
	err := a.call(ctx, http.MethodGet, a.clusterPath(), AKSAPIVersion, nil, &mc, http.StatusOK)
	switch {
	case err == nil:
		r := Ready{Cluster: mc, Notes: a.differences(mc)}
		if mc.Properties.PowerState != nil && mc.Properties.PowerState.Code == "Stopped" {
			return r, fmt.Errorf("aks cluster %s is stopped: start it (az aks start -g %s -n %s) and run again", a.Name, a.ResourceGroup, a.Name)
		}
		return a.wait(ctx, r, timeout)
	case arm.StatusOf(err) != http.StatusNotFound:
		return Ready{}, fmt.Errorf("aks cluster %s: %w", a.Name, err)
	}
	if err := a.ensureGroup(ctx); err != nil {
		return Ready{}, err
	}
	resp, err := a.send(ctx, http.MethodPut, a.clusterPath(), AKSAPIVersion, a.Request(), &mc, http.StatusOK, http.StatusCreated)
	if arm.StatusOf(err) == http.StatusConflict {
		// Another run may be creating it: wait for that instead, if it exists.
		var got ManagedCluster
		if gerr := a.call(ctx, http.MethodGet, a.clusterPath(), AKSAPIVersion, nil, &got, http.StatusOK); gerr != nil {
			return Ready{}, fmt.Errorf("create aks cluster %s: %w", a.Name, err)
		}
		return a.wait(ctx, Ready{Cluster: got, Notes: a.differences(got)}, timeout)
	}
	if err != nil {
		return Ready{}, fmt.Errorf("create aks cluster %s: %w", a.Name, err)
	}
	if op := resp.Header.Get("Azure-AsyncOperation"); op != "" {
		if err := a.waitOperation(ctx, op, timeout); err != nil {
			return Ready{Created: true, Cluster: mc}, err
		}
		if err := a.call(ctx, http.MethodGet, a.clusterPath(), AKSAPIVersion, nil, &mc, http.StatusOK); err != nil {
			return Ready{Created: true, Cluster: mc}, fmt.Errorf("aks cluster %s: %w", a.Name, err)
		}
	}
	return a.wait(ctx, Ready{Created: true, Cluster: mc}, timeout)
}

// ensureGroup creates the resource group when it does not exist. An existing
// group is left alone (a PUT would replace its tags).
func (a *AKS) ensureGroup(ctx context.Context) error {
	err := a.call(ctx, http.MethodGet, a.groupPath(), ResourceGroupAPIVersion, nil, nil, http.StatusOK)
	if err == nil {
		return nil
	}
	if arm.StatusOf(err) != http.StatusNotFound {
		return fmt.Errorf("resource group %s: %w", a.ResourceGroup, err)
	}
	body := struct {
		Location string            `json:"location"`
		Tags     map[string]string `json:"tags"`
	}{a.Location, map[string]string{"managed-by": "onepipe"}}
	if err := a.call(ctx, http.MethodPut, a.groupPath(), ResourceGroupAPIVersion, body, nil, http.StatusOK, http.StatusCreated); err != nil {
		return fmt.Errorf("create resource group %s: %w", a.ResourceGroup, err)
	}
	return nil
}

// Kubeconfig fetches the cluster's kubeconfig (user, or admin when Admin is
// set). It is a secret: keep it in the engine as one, never print it.
func (a *AKS) Kubeconfig(ctx context.Context) ([]byte, error) {
	action := "/listClusterUserCredential"
	if a.Admin {
		action = "/listClusterAdminCredential"
	}
	var out struct {
		Kubeconfigs []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"kubeconfigs"`
	}
	if err := a.call(ctx, http.MethodPost, a.clusterPath()+action, AKSAPIVersion, nil, &out, http.StatusOK); err != nil {
		return nil, fmt.Errorf("aks cluster %s kubeconfig: %w", a.Name, err)
	}
	if len(out.Kubeconfigs) == 0 || out.Kubeconfigs[0].Value == "" {
		return nil, fmt.Errorf("aks cluster %s kubeconfig: the answer holds none", a.Name)
	}
	kc, err := base64.StdEncoding.DecodeString(out.Kubeconfigs[0].Value)
	if err != nil {
		return nil, errors.New("aks cluster " + a.Name + " kubeconfig: the answer is not base64")
	}
	return kc, nil
}

// differences compares an existing cluster with the settings.
func (a *AKS) differences(mc ManagedCluster) []string {
	var notes []string
	region := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }
	if mc.Location != "" && region(mc.Location) != region(a.Location) {
		notes = append(notes, fmt.Sprintf("the cluster is in %s, the settings say %s", mc.Location, a.Location))
	}
	if a.KubernetesVersion != "" && mc.Properties.KubernetesVersion != "" && !strings.HasPrefix(mc.Properties.KubernetesVersion, a.KubernetesVersion) {
		notes = append(notes, fmt.Sprintf("the cluster runs Kubernetes %s, the settings say %s", mc.Properties.KubernetesVersion, a.KubernetesVersion))
	}
	nodes := 0
	for _, p := range mc.Properties.AgentPoolProfiles {
		nodes += p.Count
	}
	if len(mc.Properties.AgentPoolProfiles) > 0 && nodes != a.NodeCount {
		notes = append(notes, fmt.Sprintf("the cluster has %d nodes, the settings say %d (onepipe does not resize existing clusters)", nodes, a.NodeCount))
	}
	return notes
}

// Plan says what Ensure would do, for onepipe plan.
func (a *AKS) Plan() []string {
	v := a.KubernetesVersion
	if v == "" {
		v = "AKS's default Kubernetes version"
	} else {
		v = "Kubernetes " + v
	}
	cred := "user"
	if a.Admin {
		cred = "admin"
	}
	return []string{
		fmt.Sprintf("aks cluster %s in resource group %s (subscription %s): use it if it exists and is provisioned", a.Name, a.ResourceGroup, a.SubscriptionID),
		fmt.Sprintf("otherwise create resource group %s in %s if missing, then the cluster: %d × %s Linux nodes, %s, DNS prefix %s, system-assigned identity",
			a.ResourceGroup, a.Location, a.NodeCount, a.VMSize, v, a.DNSPrefix),
		fmt.Sprintf("wait up to %s for provisioning state Succeeded, then fetch the %s kubeconfig", a.timeout(), cred),
	}
}

func (a *AKS) timeout() time.Duration {
	if a.Timeout <= 0 {
		return config.DefaultClusterTimeout
	}
	return a.Timeout
}
