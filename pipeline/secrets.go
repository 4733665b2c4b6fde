package pipeline

import (
	"dagger.io/dagger"
)

// SecretKind says what a secret handed to the engine is; with its scope it
// names the secret, so that every name is made one way and two secrets of a
// run never share a name.
type SecretKind string

// The secrets onepipe hands to the engine.
const (
	// SecretRegistryPassword is the registry password publish logs in with.
	SecretRegistryPassword SecretKind = "registry-password"
	// SecretKubeconfig is a cluster's kubeconfig (scope: the cluster).
	SecretKubeconfig SecretKind = "kubeconfig"
	// SecretGCPCredentials is the service account key kops runs with.
	SecretGCPCredentials SecretKind = "gcp-credentials"
	// SecretAppVariable is one of the app's secret variables (scope:
	// environment and variable).
	SecretAppVariable SecretKind = "app-variable"
	// SecretAppManifest is the app's Secret manifest (scope: environment).
	SecretAppManifest SecretKind = "app-secret"
	// SecretDockerTLS is a PEM file a docker client presents to a Docker
	// host (scope: environment and file).
	SecretDockerTLS SecretKind = "docker-tls"
	// SecretDockerSSHKey is the private key of an ssh:// Docker host (scope:
	// environment).
	SecretDockerSSHKey SecretKind = "docker-ssh-key"
	// SecretDockerRegistryAuth is the docker CLI's config.json with the
	// registry login a Docker host pulls the pushed image with (scope: the
	// repository).
	SecretDockerRegistryAuth SecretKind = "docker-registry-auth"
	// SecretChartValues is the values file that hands the environment's
	// secrets to a Helm chart (scope: environment).
	SecretChartValues SecretKind = "chart-values"
)

// NewSecret hands value to the engine as a secret named after kind and scope.
func NewSecret(dag *dagger.Client, kind SecretKind, scope, value string) *dagger.Secret {
	return dag.SetSecret("onepipe-"+string(kind)+"-"+cacheKey(scope), value)
}
