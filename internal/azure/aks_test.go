package azure

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
	"github.com/onepipe/onepipe/internal/config"
)

type scopedToken string

func (s scopedToken) Token(_ context.Context, scope string) (string, error) {
	if scope != arm.Scope {
		return "", errors.New("unexpected scope " + scope)
	}
	return string(s), nil
}

const (
	clusterPath = "/subscriptions/sub-1/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/shop-aks"
	groupPath   = "/subscriptions/sub-1/resourcegroups/rg-shop"
)

// fakeARM answers like Azure Resource Manager for one resource group and
// one managed cluster.
type fakeARM struct {
	t          *testing.T
	mu         sync.Mutex
	group      bool            // the resource group exists
	cluster    *ManagedCluster // nil: no cluster
	states     []string        // provisioning states the next GETs report, in turn
	putStatus  int             // status of the cluster PUT (default 201)
	requests   []string
	putCluster map[string]any
	putGroup   map[string]any
	// async, when set, makes the cluster PUT answer with an
	// Azure-AsyncOperation URL whose GETs report these statuses in turn.
	async   []string
	opError string // the failed operation's error message
	// throttle is how many writes get 429 (Retry-After: 0) first.
	throttle int
}

const opPath = "/subscriptions/sub-1/providers/Microsoft.ContainerService/locations/westeurope/operations/op-1"

func (f *fakeARM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	if got := r.Header.Get("Authorization"); got != "Bearer tok-123" {
		f.t.Errorf("%s %s: Authorization %q", r.Method, r.URL.Path, got)
	}
	wantVersion := AKSAPIVersion
	if r.URL.Path == groupPath {
		wantVersion = ResourceGroupAPIVersion
	}
	if got := r.URL.Query().Get("api-version"); got != wantVersion || len(r.URL.Query()) != 1 {
		f.t.Errorf("%s %s: query %q, want api-version=%s", r.Method, r.URL.Path, r.URL.RawQuery, wantVersion)
	}
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	if r.Method != http.MethodGet && f.throttle > 0 {
		f.throttle--
		w.Header().Set("Retry-After", "0")
		reply(429, map[string]any{"error": map[string]string{"code": "TooManyRequests", "message": "throttled"}})
		return
	}
	notFound := func(code string) {
		reply(404, map[string]any{"error": map[string]string{"code": code, "message": "The resource was not found."}})
	}
	decode := func() map[string]any {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			f.t.Errorf("%s %s: Content-Type %q", r.Method, r.URL.Path, ct)
		}
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &m); err != nil {
			f.t.Errorf("%s %s: body %q: %v", r.Method, r.URL.Path, b, err)
		}
		return m
	}
	switch r.Method + " " + r.URL.Path {
	case "GET " + groupPath:
		if !f.group {
			notFound("ResourceGroupNotFound")
			return
		}
		reply(200, map[string]any{"name": "rg-shop", "location": "westeurope"})
	case "PUT " + groupPath:
		f.putGroup = decode()
		f.group = true
		reply(201, map[string]any{"name": "rg-shop", "properties": map[string]string{"provisioningState": "Succeeded"}})
	case "GET " + clusterPath:
		if f.cluster == nil {
			notFound("ResourceNotFound")
			return
		}
		if len(f.states) > 0 {
			f.cluster.Properties.ProvisioningState, f.states = f.states[0], f.states[1:]
		}
		reply(200, f.cluster)
	case "PUT " + clusterPath:
		if !f.group {
			reply(404, map[string]any{"error": map[string]string{"code": "ResourceGroupNotFound", "message": "no group"}})
			return
		}
		f.putCluster = decode()
		if f.putStatus == 409 {
			reply(409, map[string]any{"error": map[string]string{"code": "OperationNotAllowed", "message": "Operation is not allowed: another operation is in progress"}})
			return
		}
		var mc ManagedCluster
		b, _ := json.Marshal(f.putCluster)
		json.Unmarshal(b, &mc)
		mc.Properties.ProvisioningState = "Creating"
		f.cluster = &mc
		if f.async != nil {
			w.Header().Set("Azure-AsyncOperation", "http://"+r.Host+opPath+"?api-version="+AKSAPIVersion)
		}
		reply(201, mc)
	case "GET " + opPath:
		st := "InProgress"
		if len(f.async) > 0 {
			st, f.async = f.async[0], f.async[1:]
		}
		w.Header().Set("Retry-After", "0")
		body := map[string]any{"name": "op-1", "status": st, "startTime": "2024-05-01T10:00:00Z"}
		if st == "Failed" {
			body["error"] = map[string]string{"code": "ReconcileVMSSAgentPoolFailed", "message": f.opError}
		}
		reply(200, body)
	case "POST " + clusterPath + "/listClusterUserCredential", "POST " + clusterPath + "/listClusterAdminCredential":
		if f.cluster == nil {
			notFound("ResourceNotFound")
			return
		}
		user := "clusterUser"
		if strings.HasSuffix(r.URL.Path, "AdminCredential") {
			user = "clusterAdmin"
		}
		reply(200, map[string]any{"kubeconfigs": []map[string]string{{"name": user, "value": base64.StdEncoding.EncodeToString([]byte("kind: Config # " + user))}}})
	default:
		reply(400, map[string]any{"error": map[string]string{"code": "Unexpected", "message": r.Method + " " + r.URL.Path}})
	}
}

func newAKS(t *testing.T, f *fakeARM) *AKS {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := config.Cluster{Provider: "aks", Name: "shop-aks", AKS: config.AKSCluster{ResourceGroup: "rg-shop", Location: "westeurope", KubernetesVersion: "1.33"}}
	a, err := NewAKS("prod", c, "sub-1", scopedToken("tok-123"))
	if err != nil {
		t.Fatal(err)
	}
	a.ARM.BaseURL, a.ARM.HTTP, a.PollEvery = srv.URL, srv.Client(), time.Millisecond
	return a
}

func TestAKSCreates(t *testing.T) {
	f := &fakeARM{t: t, states: []string{"Creating", "Creating", "Succeeded"}}
	a := newAKS(t, f)
	r, err := a.Ensure(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Created || r.Cluster.Properties.ProvisioningState != "Succeeded" {
		t.Errorf("result: %+v", r)
	}
	want := "GET " + clusterPath + "|GET " + groupPath + "|PUT " + groupPath + "|PUT " + clusterPath + "|GET " + clusterPath + "|GET " + clusterPath + "|GET " + clusterPath
	if got := strings.Join(f.requests, "|"); got != want {
		t.Errorf("requests:\n got %s\nwant %s", got, want)
	}
	if b, _ := json.Marshal(f.putGroup); string(b) != `{"location":"westeurope","tags":{"managed-by":"onepipe"}}` {
		t.Errorf("group body %s", b)
	}
	b, _ := json.Marshal(f.putCluster)
	if want := `{"identity":{"type":"SystemAssigned"},"location":"westeurope","properties":{"agentPoolProfiles":[{"count":2,"mode":"System","name":"system","osType":"Linux","vmSize":"Standard_D2s_v3"}],"dnsPrefix":"shop-aks-rg-shop-sub-1","kubernetesVersion":"1.33"},"tags":{"managed-by":"onepipe"}}`; string(b) != want {
		t.Errorf("cluster body\n got %s\nwant %s", b, want)
	}
	kc, err := a.Kubeconfig(context.Background())
	if err != nil || string(kc) != "kind: Config # clusterUser" {
		t.Errorf("Kubeconfig = %q, %v", kc, err)
	}
	a.Admin = true
	if kc, err := a.Kubeconfig(context.Background()); err != nil || string(kc) != "kind: Config # clusterAdmin" {
		t.Errorf("admin Kubeconfig = %q, %v", kc, err)
	}
}

func TestAKSExisting(t *testing.T) {
	existing := &ManagedCluster{Location: "West Europe", Properties: ManagedClusterProperties{ProvisioningState: "Succeeded", KubernetesVersion: "1.32.5",
		AgentPoolProfiles: []AgentPool{{Name: "a", Count: 3}, {Name: "b", Count: 1}}}}
	f := &fakeARM{t: t, group: true, cluster: existing}
	r, err := newAKS(t, f).Ensure(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Created || len(f.requests) != 1 {
		t.Errorf("created %v, requests %v", r.Created, f.requests)
	}
	want := "the cluster runs Kubernetes 1.32.5, the settings say 1.33|the cluster has 4 nodes, the settings say 2 (onepipe does not resize existing clusters)"
	if got := strings.Join(r.Notes, "|"); got != want {
		t.Errorf("notes:\n got %s\nwant %s", got, want)
	}
}

func TestAKSGroupExists(t *testing.T) {
	f := &fakeARM{t: t, group: true, states: []string{"Succeeded"}}
	if _, err := newAKS(t, f).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.requests {
		if r == "PUT "+groupPath {
			t.Errorf("an existing resource group was replaced: %v", f.requests)
		}
	}
}

func TestAKSConflictWaitsForTheOtherRun(t *testing.T) {
	f := &fakeARM{t: t, group: true, putStatus: 409}
	a := newAKS(t, f)
	// The other run's cluster appears between our GET and our PUT.
	a.ARM.HTTP.Transport = roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPut {
			f.mu.Lock()
			f.cluster = &ManagedCluster{Location: "westeurope", Properties: ManagedClusterProperties{ProvisioningState: "Creating"}}
			f.states = []string{"Updating", "Succeeded"}
			f.mu.Unlock()
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	r, err := a.Ensure(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Created || r.Cluster.Properties.ProvisioningState != "Succeeded" {
		t.Errorf("result %+v", r)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAKSErrors(t *testing.T) {
	tests := []struct {
		name string
		f    *fakeARM
		edit func(*AKS)
		want string // prefix after replacing the server URL with URL
	}{
		{"conflict, no cluster", &fakeARM{group: true, putStatus: 409}, nil,
			"create aks cluster shop-aks: Azure Resource Manager: PUT URL" + clusterPath + ": 409 Conflict: OperationNotAllowed: Operation is not allowed: another operation is in progress"},
		{"failed", &fakeARM{group: true, cluster: &ManagedCluster{Properties: ManagedClusterProperties{ProvisioningState: "Failed"}}}, nil,
			"aks cluster shop-aks: provisioning state Failed: see the resource group's activity log in the Azure portal"},
		{"stopped", &fakeARM{group: true, cluster: &ManagedCluster{Properties: ManagedClusterProperties{ProvisioningState: "Succeeded", PowerState: &PowerState{Code: "Stopped"}}}}, nil,
			"aks cluster shop-aks is stopped: start it (az aks start -g rg-shop -n shop-aks) and run again"},
		{"timeout", &fakeARM{group: true, cluster: &ManagedCluster{Properties: ManagedClusterProperties{ProvisioningState: "Updating"}}}, func(a *AKS) { a.Timeout = 20 * time.Millisecond },
			"aks cluster shop-aks not ready after 20ms (provisioning state Updating): raise cluster.timeout or look in the Azure portal"},
		{"token", &fakeARM{}, func(a *AKS) { a.ARM.Tokens = failingToken{} },
			"aks cluster shop-aks: Azure Resource Manager token: sign-in refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.t = t
			a := newAKS(t, tt.f)
			if tt.edit != nil {
				tt.edit(a)
			}
			_, err := a.Ensure(context.Background())
			if err == nil {
				t.Fatal("Ensure succeeded")
			}
			if got := strings.ReplaceAll(err.Error(), a.ARM.BaseURL, "URL"); got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

type failingToken struct{}

func (failingToken) Token(context.Context, string) (string, error) {
	return "", errors.New("sign-in refused")
}

func TestAKSForbidden(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		io.WriteString(w, `{"error":{"code":"AuthorizationFailed","message":"The client 'x' does not have authorization\nto perform action."}}`)
	}))
	defer srv.Close()
	a := &AKS{SubscriptionID: "sub-1", ResourceGroup: "rg-shop", Name: "shop-aks", ARM: ARM{BaseURL: srv.URL, Tokens: scopedToken("tok-123"), HTTP: srv.Client()}}
	_, err := a.Ensure(context.Background())
	want := "aks cluster shop-aks: Azure Resource Manager: GET " + srv.URL + clusterPath + ": 403 Forbidden: AuthorizationFailed: The client 'x' does not have authorization to perform action."
	if err == nil || err.Error() != want || arm.StatusOf(err) != 403 {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
	_, err = a.Kubeconfig(context.Background())
	if arm.StatusOf(err) != 403 || strings.Contains(err.Error(), "tok-123") {
		t.Errorf("Kubeconfig error: %v", err)
	}
}

func TestAKSKubeconfigErrors(t *testing.T) {
	for body, want := range map[string]string{
		`{"kubeconfigs":[]}`:                "aks cluster shop-aks kubeconfig: the answer holds none",
		`{"kubeconfigs":[{"value":"%%%"}]}`: "aks cluster shop-aks kubeconfig: the answer is not base64",
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
		a := &AKS{SubscriptionID: "s", ResourceGroup: "g", Name: "shop-aks", ARM: ARM{BaseURL: srv.URL, Tokens: scopedToken("t"), HTTP: srv.Client()}}
		if _, err := a.Kubeconfig(context.Background()); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", body, err, want)
		}
		srv.Close()
	}
}

func TestNewAKS(t *testing.T) {
	c := config.Cluster{Provider: "aks", Name: "shop", AKS: config.AKSCluster{ResourceGroup: "rg", Location: "westeurope"}}
	if _, err := NewAKS("prod", c, "", nil); err == nil || err.Error() != "environments.prod.cluster.aks.subscriptionId: none set: set it or azure.subscriptionId in onepipe.yaml" {
		t.Errorf("no subscription: %v", err)
	}
	if _, err := NewAKS("prod", config.Cluster{Provider: "kops"}, "s", nil); err == nil || err.Error() != "environments.prod.cluster.provider is kops, not aks" {
		t.Errorf("wrong provider: %v", err)
	}
	c.AKS.SubscriptionID, c.AKS.Admin = "own-sub", true
	a, err := NewAKS("prod", c, "azure-sub", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"aks cluster shop in resource group rg (subscription own-sub): use it if it exists and is provisioned",
		"otherwise create resource group rg in westeurope if missing, then the cluster: 2 × Standard_D2s_v3 Linux nodes, AKS's default Kubernetes version, DNS prefix shop-rg-own-su, system-assigned identity",
		"wait up to 20m0s for provisioning state Succeeded, then fetch the admin kubeconfig",
	}
	if got := a.Plan(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Plan:\n%s", strings.Join(got, "\n"))
	}
}

// TestNewAKSChecksTheSettings checks every message NewAKS gives for bad
// settings: it checks them itself, without config.Cluster.Validate.
func TestNewAKSChecksTheSettings(t *testing.T) {
	tests := []struct {
		name string
		edit func(*config.Cluster)
		sub  string
		want string
	}{
		{"other provider", func(c *config.Cluster) { c.Provider = "kops" }, "s",
			"environments.prod.cluster.provider is kops, not aks"},
		{"timeout", func(c *config.Cluster) { c.Timeout = "10" }, "s",
			`environments.prod.cluster: cluster.timeout "10": use a positive duration such as 90s, 5m or 1h`},
		{"no name", func(c *config.Cluster) { c.Name = "" }, "s",
			`environments.prod.cluster.name "": use 1-63 letters, digits, - and _, starting and ending with a letter or digit`},
		{"name ending in -", func(c *config.Cluster) { c.Name = "shop-" }, "s",
			`environments.prod.cluster.name "shop-": use 1-63 letters, digits, - and _, starting and ending with a letter or digit`},
		{"name too long", func(c *config.Cluster) { c.Name = strings.Repeat("a", 64) }, "s",
			`environments.prod.cluster.name "` + strings.Repeat("a", 64) + `": use 1-63 letters, digits, - and _, starting and ending with a letter or digit`},
		{"no resource group", func(c *config.Cluster) { c.AKS.ResourceGroup = "" }, "s",
			`environments.prod.cluster.aks.resourceGroup "": use 1-90 letters, digits, -, _, ., ( and ), not ending in .`},
		{"resource group ending in .", func(c *config.Cluster) { c.AKS.ResourceGroup = "rg." }, "s",
			`environments.prod.cluster.aks.resourceGroup "rg.": use 1-90 letters, digits, -, _, ., ( and ), not ending in .`},
		{"resource group with a slash", func(c *config.Cluster) { c.AKS.ResourceGroup = "rg/x" }, "s",
			`environments.prod.cluster.aks.resourceGroup "rg/x": use 1-90 letters, digits, -, _, ., ( and ), not ending in .`},
		{"no location", func(c *config.Cluster) { c.AKS.Location = "" }, "s",
			"environments.prod.cluster.aks.location: name the Azure region, e.g. westeurope"},
		{"negative node count", func(c *config.Cluster) { c.AKS.NodeCount = -2 }, "s",
			"environments.prod.cluster.aks.nodeCount -2 is negative"},
		{"no subscription", func(c *config.Cluster) {}, "",
			"environments.prod.cluster.aks.subscriptionId: none set: set it or azure.subscriptionId in onepipe.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Cluster{Provider: "aks", Name: "shop_aks-1", AKS: config.AKSCluster{ResourceGroup: "rg-(shop).1", Location: "westeurope"}}
			tt.edit(&c)
			_, err := NewAKS("prod", c, tt.sub, nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("NewAKS: %v\nwant %s", err, tt.want)
			}
		})
	}
	c := config.Cluster{Provider: "aks", Name: "shop_aks-1", Timeout: "30m", AKS: config.AKSCluster{ResourceGroup: "rg-(shop).1", Location: "westeurope"}}
	if a, err := NewAKS("prod", c, "s", nil); err != nil || a.Timeout != 30*time.Minute {
		t.Errorf("good settings: %+v, %v", a, err)
	}
}

// TestAKSWithoutCredentials checks that AKS goes through the one ARM client,
// which says what to set when no credentials were given.
func TestAKSWithoutCredentials(t *testing.T) {
	c := config.Cluster{Provider: "aks", Name: "shop-aks", AKS: config.AKSCluster{ResourceGroup: "rg-shop", Location: "westeurope"}}
	a, err := NewAKS("prod", c, "sub-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	a.ARM.BaseURL = "http://127.0.0.1:9"
	_, err = a.Ensure(context.Background())
	want := "aks cluster shop-aks: Azure Resource Manager: no credentials: set azure.clientId and azure.clientSecret or azure.federatedToken"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}

// TestAKSFollowsTheAsyncOperation: a create answered with an
// Azure-AsyncOperation URL is followed there until the operation ends, as
// ARM's asynchronous operations are meant to be followed
// (Azure/azure-resource-manager-rpc v1.0/async-api-reference.md:
// "Azure-AsyncOperation ... status: InProgress, Succeeded, Failed, Canceled",
// Retry-After paces the polls), then the cluster is read once.
func TestAKSFollowsTheAsyncOperation(t *testing.T) {
	f := &fakeARM{t: t, group: true, async: []string{"InProgress", "InProgress", "Succeeded"}, states: []string{"Succeeded"}}
	r, err := newAKS(t, f).Ensure(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Created || r.Cluster.Properties.ProvisioningState != "Succeeded" {
		t.Errorf("result %+v", r)
	}
	want := "GET " + clusterPath + "|GET " + groupPath + "|PUT " + clusterPath + "|GET " + opPath + "|GET " + opPath + "|GET " + opPath + "|GET " + clusterPath
	if got := strings.Join(f.requests, "|"); got != want {
		t.Errorf("requests:\n got %s\nwant %s", got, want)
	}
}

func TestAKSAsyncOperationFails(t *testing.T) {
	f := &fakeARM{t: t, group: true, async: []string{"InProgress", "Failed"}, opError: "Agent pool system\nfailed: quota exceeded"}
	_, err := newAKS(t, f).Ensure(context.Background())
	want := "aks cluster shop-aks: the create operation failed: ReconcileVMSSAgentPoolFailed: Agent pool system failed: quota exceeded: see the resource group's activity log in the Azure portal"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}

// TestAKSAsyncOperationElsewhere: the token goes to the Resource Manager
// host only.
func TestAKSAsyncOperationElsewhere(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			if strings.HasSuffix(r.URL.Path, "rg-shop") {
				w.WriteHeader(200)
				return
			}
			w.WriteHeader(404)
		case http.MethodPut:
			w.Header().Set("Azure-AsyncOperation", "https://evil.example/operations/1")
			w.WriteHeader(201)
			io.WriteString(w, `{"properties":{"provisioningState":"Creating"}}`)
		}
	}))
	defer srv.Close()
	a := &AKS{SubscriptionID: "sub-1", ResourceGroup: "rg-shop", Name: "shop-aks", Location: "westeurope", NodeCount: 1,
		ARM: ARM{BaseURL: srv.URL, Tokens: scopedToken("tok-123"), HTTP: srv.Client()}}
	_, err := a.Ensure(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the operation URL https://evil.example/operations/1 is not on 127.0.0.1") {
		t.Errorf("error %v", err)
	}
}

// TestAKSWritesAreTriedAgainWhenThrottled: ARM answers 429 when a
// subscription's write quota is spent; the PUTs (idempotent by the ARM RPC)
// are sent again after the Retry-After it gives.
func TestAKSWritesAreTriedAgainWhenThrottled(t *testing.T) {
	f := &fakeARM{t: t, throttle: 2, states: []string{"Succeeded"}}
	if _, err := newAKS(t, f).Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "GET " + clusterPath + "|GET " + groupPath + "|PUT " + groupPath + "|PUT " + groupPath + "|PUT " + groupPath + "|PUT " + clusterPath + "|GET " + clusterPath
	if got := strings.Join(f.requests, "|"); got != want {
		t.Errorf("requests:\n got %s\nwant %s", got, want)
	}
}

// TestDefaultDNSPrefix: the DNS prefix of a cluster without one is the one
// az aks create picks (azure-cli src/azure-cli/azure/cli/command_modules/acs/custom.py,
// _get_default_dns_prefix), which always follows the rule AKS holds DNS
// prefixes to (1-54 letters, digits and hyphens, starting and ending with a
// letter or digit), also for names AKS allows but DNS does not.
func TestDefaultDNSPrefix(t *testing.T) {
	sub := "3f2a1b0c-0000-0000-0000-000000000000"
	for _, c := range []struct{ name, group, want string }{
		{"shop-aks", "rg-shop", "shop-aks-rg-shop-3f2a1b"},
		{"shop_aks", "rg-shop", "shopaks-rg-shop-3f2a1b"},
		{"1shop", "rg", "a1shop-rg-3f2a1b"},
		{"very-long-cluster-name-of-the-shop", "rg-(shop).prod.westeurope", "very-long--rg-shopprodweste-3f2a1b"},
		{"9_x", "g", "a9x-g-3f2a1b"},
	} {
		got := DefaultDNSPrefix(c.name, c.group, sub)
		if got != c.want {
			t.Errorf("DefaultDNSPrefix(%q, %q) = %q, want %q", c.name, c.group, got, c.want)
		}
		if !dnsPrefix.MatchString(got) {
			t.Errorf("%q breaks the DNS-prefix rule", got)
		}
	}
	c := config.Cluster{Provider: "aks", Name: "shop_aks", AKS: config.AKSCluster{ResourceGroup: "rg-shop", Location: "westeurope"}}
	a, err := NewAKS("prod", c, sub, nil)
	if err != nil || a.DNSPrefix != "shopaks-rg-shop-3f2a1b" {
		t.Errorf("NewAKS: DNS prefix %q, %v", a.DNSPrefix, err)
	}
}

func TestNewAKSChecksTheDNSPrefix(t *testing.T) {
	for _, p := range []string{"-shop", "shop_aks", "shop.aks", strings.Repeat("a", 55), "shop-"} {
		c := config.Cluster{Provider: "aks", Name: "shop", AKS: config.AKSCluster{ResourceGroup: "rg", Location: "westeurope", DNSPrefix: p}}
		_, err := NewAKS("prod", c, "s", nil)
		want := `environments.prod.cluster.aks.dnsPrefix "` + p + `": use 1-54 letters, digits and hyphens, starting and ending with a letter or digit (or leave it out for the one az would pick)`
		if err == nil || err.Error() != want {
			t.Errorf("dnsPrefix %q: %v", p, err)
		}
	}
	for _, p := range []string{"s", "shop-aks-1", strings.Repeat("a", 54)} {
		c := config.Cluster{Provider: "aks", Name: "shop", AKS: config.AKSCluster{ResourceGroup: "rg", Location: "westeurope", DNSPrefix: p}}
		if _, err := NewAKS("prod", c, "s", nil); err != nil {
			t.Errorf("dnsPrefix %q: %v", p, err)
		}
	}
}
