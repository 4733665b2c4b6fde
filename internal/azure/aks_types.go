package azure

// ManagedCluster is the part of a Microsoft.ContainerService/managedClusters
// resource onepipe sends and reads.
type ManagedCluster struct {
	Location   string                   `json:"location"`
	Identity   *ClusterIdentity         `json:"identity,omitempty"`
	Tags       map[string]string        `json:"tags,omitempty"`
	Properties ManagedClusterProperties `json:"properties"`
}

// ClusterIdentity is the cluster's managed identity.
type ClusterIdentity struct {
	Type string `json:"type"`
}

// ManagedClusterProperties are a managed cluster's properties.
type ManagedClusterProperties struct {
	DNSPrefix                string      `json:"dnsPrefix,omitempty"`
	KubernetesVersion        string      `json:"kubernetesVersion,omitempty"`
	AgentPoolProfiles        []AgentPool `json:"agentPoolProfiles,omitempty"`
	ProvisioningState        string      `json:"provisioningState,omitempty"`
	CurrentKubernetesVersion string      `json:"currentKubernetesVersion,omitempty"`
	FQDN                     string      `json:"fqdn,omitempty"`
	PowerState               *PowerState `json:"powerState,omitempty"`
}

// AgentPool is a node pool.
type AgentPool struct {
	Name   string `json:"name"`
	Count  int    `json:"count"`
	VMSize string `json:"vmSize"`
	OSType string `json:"osType,omitempty"`
	Mode   string `json:"mode,omitempty"`
}

// PowerState says whether the cluster runs (Running) or was stopped.
type PowerState struct {
	Code string `json:"code"`
}
