package config

// Deploy configures the Kubernetes deploy stage.
type Deploy struct {
	// Manifests is the folder of Kubernetes manifest templates (default deploy/k8s).
	Manifests string `json:"manifests,omitempty"`
	// Port is the port the app listens on inside its container (default 8000).
	Port int `json:"port,omitempty"`
	// Migration is the command run as a Job before the app rolls out, e.g.
	// [flask, db, upgrade]. Empty means no migration.
	Migration []string `json:"migration,omitempty"`
	// Smoke are the HTTP checks run after the rollout.
	Smoke []SmokeCheck `json:"smoke,omitempty"`
	// Timeout bounds each wait (rollout, migration, smoke), e.g. 3m (default 5m).
	Timeout string `json:"timeout,omitempty"`
}

// SmokeCheck is one HTTP request made against the deployed app.
type SmokeCheck struct {
	// Name describes the check in the output.
	Name string `json:"name,omitempty"`
	// Method is the HTTP method (default GET).
	Method string `json:"method,omitempty"`
	// Path is requested on the app's address, e.g. /api/articles.
	Path string `json:"path"`
	// Status is the expected HTTP status (default 200).
	Status int `json:"status,omitempty"`
	// Contains is a substring the response body must contain.
	Contains string `json:"contains,omitempty"`
}

// Cluster says where an environment runs and how to reach it.
type Cluster struct {
	// Provider is local (an ephemeral cluster run by the engine), kops, aks or
	// existing (use the kubeconfig as given). Default: local.
	Provider string `json:"provider,omitempty"`
	// Kubeconfig is a secret reference (env:NAME or file:PATH) to the kubeconfig.
	Kubeconfig string `json:"kubeconfig,omitempty"`
}
