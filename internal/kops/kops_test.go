package kops

import (
	"strings"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/config"
)

func testCluster(t *testing.T) Cluster {
	t.Helper()
	k, err := New("prod", config.Cluster{Provider: "kops", Name: "conduit.k8s.local", Timeout: "15m", Kops: config.KopsCluster{
		StateStore: "gs://acme-kops-state/", Project: "acme-prod", Zones: []string{"europe-west1-b", "europe-west1-c"}, NodeSize: "e2-standard-4",
	}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestArgs(t *testing.T) {
	k := testCluster(t)
	tests := []struct {
		got  []string
		want string
	}{
		{k.GetArgs(), "kops get cluster conduit.k8s.local --state=gs://acme-kops-state -o=json"},
		{k.CreateArgs(), "kops create cluster --name=conduit.k8s.local --state=gs://acme-kops-state --cloud=gce --project=acme-prod --zones=europe-west1-b,europe-west1-c --control-plane-zones=europe-west1-b --node-count=2 --node-size=e2-standard-4 --control-plane-size=e2-standard-2"},
		{k.UpdateArgs(false), "kops update cluster --name=conduit.k8s.local --state=gs://acme-kops-state"},
		{k.UpdateArgs(true), "kops update cluster --name=conduit.k8s.local --state=gs://acme-kops-state --yes"},
		{k.ExportKubeconfigArgs(), "kops export kubeconfig --name=conduit.k8s.local --state=gs://acme-kops-state --admin=2h0m0s --kubeconfig=/onepipe/kubeconfig"},
		{k.ValidateArgs(), "kops validate cluster --name=conduit.k8s.local --state=gs://acme-kops-state --wait=15m0s --kubeconfig=/onepipe/kubeconfig"},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.got, " "); got != tt.want {
			t.Errorf("\n got %s\nwant %s", got, tt.want)
		}
	}
	k.K8sVersion = "1.32.4"
	if got := k.CreateArgs(); got[len(got)-1] != "--kubernetes-version=1.32.4" {
		t.Errorf("CreateArgs with a version: %v", got)
	}
	if k.Env()["GOOGLE_APPLICATION_CREDENTIALS"] != CredentialsPath {
		t.Errorf("Env: %v", k.Env())
	}
	if got := BinaryURL("v1.32.0", "amd64"); got != "https://github.com/kubernetes/kops/releases/download/v1.32.0/kops-linux-amd64" {
		t.Errorf("BinaryURL = %s", got)
	}
}

func TestSteps(t *testing.T) {
	k := testCluster(t)
	descs := func(steps []Step) string {
		var out []string
		for _, s := range steps {
			out = append(out, s.Desc+" ["+s.Args[1]+"]")
		}
		return strings.Join(out, "|")
	}
	if got, want := descs(k.Steps(false)), "write the spec of cluster conduit.k8s.local to gs://acme-kops-state [create]|create the cloud resources of cluster conduit.k8s.local [update]|export an admin kubeconfig for cluster conduit.k8s.local [export]|wait for cluster conduit.k8s.local to validate [validate]"; got != want {
		t.Errorf("missing cluster:\n got %s\nwant %s", got, want)
	}
	if got, want := descs(k.Steps(true)), "export an admin kubeconfig for cluster conduit.k8s.local [export]|wait for cluster conduit.k8s.local to validate [validate]"; got != want {
		t.Errorf("existing cluster:\n got %s\nwant %s", got, want)
	}
	for _, s := range k.Steps(true) {
		for _, a := range s.Args {
			if a == "--yes" {
				t.Errorf("an existing cluster would be changed: %v", s.Args)
			}
		}
	}
}

func TestMissing(t *testing.T) {
	for stderr, want := range map[string]bool{
		`Error: cluster not found "conduit.k8s.local"`:                      true,
		"Error: no clusters found\n":                                        true,
		"error reading cluster configuration: googleapi: Error 403: denied": false,
		"": false,
	} {
		if got := Missing(stderr); got != want {
			t.Errorf("Missing(%q) = %v", stderr, got)
		}
	}
}

func TestPlanAndErrors(t *testing.T) {
	want := []string{
		`cluster conduit.k8s.local in state store gs://acme-kops-state: use it if it exists (unchanged; "kops update cluster --name=conduit.k8s.local --state=gs://acme-kops-state" previews pending changes)`,
		"otherwise create it on GCE project acme-prod, zones europe-west1-b,europe-west1-c: 2 × e2-standard-4 nodes, control plane e2-standard-2, the channel's Kubernetes version",
		"export an admin kubeconfig (valid 2h0m0s) and wait up to 15m0s for kops validate cluster",
	}
	if got := testCluster(t).Plan(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Plan:\n%s", strings.Join(got, "\n"))
	}
	if _, err := New("dev", config.Cluster{}); err == nil || err.Error() != "environments.dev.cluster.provider is local, not kops" {
		t.Errorf("local: %v", err)
	}
	if _, err := New("prod", config.Cluster{Provider: "kops", Name: "a.k8s.local", Kops: config.KopsCluster{StateStore: "gs://s", Project: "p"}}); err == nil || !strings.Contains(err.Error(), "kops.zones") {
		t.Errorf("no zones: %v", err)
	}
	if (Cluster{}).ValidateArgs()[5] != "--wait="+(20*time.Minute).String() {
		t.Errorf("default wait: %v", (Cluster{}).ValidateArgs())
	}
}

// TestNewChecksTheSettings checks every message New gives for bad settings:
// it checks them itself, without config.Cluster.Validate.
func TestNewChecksTheSettings(t *testing.T) {
	good := config.KopsCluster{StateStore: "gs://acme-kops-state", Project: "acme-prod", Zones: []string{"europe-west1-b"}}
	tests := []struct {
		name string
		edit func(*config.Cluster)
		want string
	}{
		{"other provider", func(c *config.Cluster) { c.Provider = "aks" },
			"environments.prod.cluster.provider is aks, not kops"},
		{"timeout", func(c *config.Cluster) { c.Timeout = "soon" },
			`environments.prod.cluster: cluster.timeout "soon": use a positive duration such as 90s, 5m or 1h`},
		{"negative timeout", func(c *config.Cluster) { c.Timeout = "-5m" },
			`environments.prod.cluster: cluster.timeout "-5m": use a positive duration such as 90s, 5m or 1h`},
		{"no name", func(c *config.Cluster) { c.Name = "" },
			`environments.prod.cluster.name "": kops needs a DNS-style name, e.g. shop.k8s.local`},
		{"name without a dot", func(c *config.Cluster) { c.Name = "shop" },
			`environments.prod.cluster.name "shop": kops needs a DNS-style name, e.g. shop.k8s.local`},
		{"upper-case name", func(c *config.Cluster) { c.Name = "Shop.k8s.local" },
			`environments.prod.cluster.name "Shop.k8s.local": kops needs a DNS-style name, e.g. shop.k8s.local`},
		{"state store not on GCS", func(c *config.Cluster) { c.Kops.StateStore = "s3://acme" },
			`environments.prod.cluster.kops.stateStore "s3://acme": use a Cloud Storage bucket, e.g. gs://acme-kops-state`},
		{"state store without a bucket", func(c *config.Cluster) { c.Kops.StateStore = "gs://" },
			`environments.prod.cluster.kops.stateStore "gs://": use a Cloud Storage bucket, e.g. gs://acme-kops-state`},
		{"no project", func(c *config.Cluster) { c.Kops.Project = "" },
			"environments.prod.cluster.kops.project: name the GCP project the cluster runs in"},
		{"no zones", func(c *config.Cluster) { c.Kops.Zones = nil },
			"environments.prod.cluster.kops.zones: list at least one zone, e.g. [europe-west1-b]"},
		{"negative node count", func(c *config.Cluster) { c.Kops.NodeCount = -1 },
			"environments.prod.cluster.kops.nodeCount -1 is negative"},
		{"bad zone", func(c *config.Cluster) { c.Kops.Zones = []string{"europe-west1-b", "Europe West"} },
			`environments.prod.cluster.kops.zones: "Europe West" is not a zone name, e.g. europe-west1-b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Cluster{Provider: "kops", Name: "shop.k8s.local", Kops: good}
			c.Kops.Zones = append([]string(nil), good.Zones...)
			tt.edit(&c)
			_, err := New("prod", c)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New: %v\nwant %s", err, tt.want)
			}
		})
	}
	c := config.Cluster{Provider: "kops", Name: "shop.k8s.local", Kops: good}
	if _, err := New("prod", c); err != nil {
		t.Errorf("good settings: %v", err)
	}
}
