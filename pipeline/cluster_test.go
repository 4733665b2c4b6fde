package pipeline

import (
	"testing"

	"github.com/onepipe/onepipe/internal/config"
)

// TestClusterProvidersCheckTheirSettings: every provider, made through the
// one registry, refuses bad settings of onepipe.yaml in one line naming the
// field (the secrets are not resolved here: Load checks every environment).
func TestClusterProvidersCheckTheirSettings(t *testing.T) {
	kops := config.KopsCluster{StateStore: "gs://state", Project: "p", Zones: []string{"europe-west1-b"}}
	kopsWithKey := kops
	kopsWithKey.Credentials = "env:GOOGLE_CREDENTIALS_JSON"
	aks := config.AKSCluster{ResourceGroup: "rg-shop", Location: "westeurope"}
	tests := []struct {
		name string
		c    config.Cluster
		want string
	}{
		{"default local", config.Cluster{}, ""},
		{"existing", config.Cluster{Provider: "existing", Kubeconfig: "env:KUBECONFIG_DATA"}, ""},
		{"local real node", config.Cluster{LocalNode: "real"}, ""},
		{"local unknown node", config.Cluster{Provider: "local", LocalNode: "kind"}, `environments.prod.cluster.localNode "kind": use kwok or real`},
		{"existing without kubeconfig", config.Cluster{Provider: "existing"}, "environments.prod.cluster.kubeconfig: provider existing needs a kubeconfig reference, e.g. env:KUBECONFIG_DATA or file:/path/kubeconfig"},
		{"unknown", config.Cluster{Provider: "gke"}, `environments.prod.cluster.provider "gke": use aks, existing, kops or local`},
		{"timeout", config.Cluster{Timeout: "soon"}, `environments.prod.cluster: cluster.timeout "soon": use a positive duration such as 90s, 5m or 1h`},
		{"kops", config.Cluster{Provider: "kops", Name: "shop.k8s.local", Kops: kopsWithKey}, ""},
		{"kops without a key", config.Cluster{Provider: "kops", Name: "shop.k8s.local", Kops: kops}, "environments.prod.cluster.kops.credentials: name the GCP service account key, e.g. env:GOOGLE_CREDENTIALS_JSON"},
		{"kops name", config.Cluster{Provider: "kops", Name: "shop", Kops: kops}, `environments.prod.cluster.name "shop": kops needs a DNS-style name, e.g. shop.k8s.local`},
		{"kops store", config.Cluster{Provider: "kops", Name: "a.k8s.local", Kops: config.KopsCluster{StateStore: "s3://x", Project: "p", Zones: []string{"z"}}}, `environments.prod.cluster.kops.stateStore "s3://x": use a Cloud Storage bucket, e.g. gs://acme-kops-state`},
		{"kops project", config.Cluster{Provider: "kops", Name: "a.k8s.local", Kops: config.KopsCluster{StateStore: "gs://x", Zones: []string{"z"}}}, "environments.prod.cluster.kops.project: name the GCP project the cluster runs in"},
		{"kops zones", config.Cluster{Provider: "kops", Name: "a.k8s.local", Kops: config.KopsCluster{StateStore: "gs://x", Project: "p"}}, "environments.prod.cluster.kops.zones: list at least one zone, e.g. [europe-west1-b]"},
		{"kops zone", config.Cluster{Provider: "kops", Name: "a.k8s.local", Kops: config.KopsCluster{StateStore: "gs://x", Project: "p", Zones: []string{"Europe West"}}}, `environments.prod.cluster.kops.zones: "Europe West" is not a zone name, e.g. europe-west1-b`},
		{"aks", config.Cluster{Provider: "aks", Name: "shop_Prod-1", AKS: aks}, ""},
		{"aks name", config.Cluster{Provider: "aks", Name: "-x", AKS: aks}, `environments.prod.cluster.name "-x": use 1-63 letters, digits, - and _, starting and ending with a letter or digit`},
		{"aks group", config.Cluster{Provider: "aks", Name: "x", AKS: config.AKSCluster{ResourceGroup: "rg.", Location: "l"}}, `environments.prod.cluster.aks.resourceGroup "rg.": use 1-90 letters, digits, -, _, ., ( and ), not ending in .`},
		{"aks location", config.Cluster{Provider: "aks", Name: "x", AKS: config.AKSCluster{ResourceGroup: "rg"}}, "environments.prod.cluster.aks.location: name the Azure region, e.g. westeurope"},
		{"aks nodes", config.Cluster{Provider: "aks", Name: "x", AKS: config.AKSCluster{ResourceGroup: "rg", Location: "l", NodeCount: -1}}, "environments.prod.cluster.aks.nodeCount -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClusterProvider(ClusterInput{Env: "prod", Cluster: tt.c, Azure: config.Azure{SubscriptionID: "sub", TenantID: "t", ClientID: "c", ClientSecret: "env:AZURE_SECRET"}})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("NewClusterProvider()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
