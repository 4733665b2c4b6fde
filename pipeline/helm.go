package pipeline

import (
	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/versions"
)

// helmModule is the Go module helm is built from.
const helmModule = "helm.sh/helm/v3"

// HelmBinary builds helm (versions.Helm) from the Go module proxy in a
// golang container, as KubernetesBinaries builds the cluster's binaries:
// the Go module and build caches are cache volumes and the engine caches
// the result, so only the first deploy with a chart waits for it. helm
// version prints versions.Helm.
func HelmBinary(dag *dagger.Client) *dagger.File {
	const bin = "/out"
	ldflags := "-s -w -X " + helmModule + "/internal/version.version=" + versions.Helm +
		" -X " + helmModule + "/internal/version.gitTreeState=clean"
	return dag.Container().
		From(versions.GolangImage).
		WithMountedCache("/go/pkg/mod", dag.CacheVolume("onepipe-go-mod")).
		WithMountedCache("/root/.cache/go-build", dag.CacheVolume("onepipe-go-build")).
		WithEnvVariable("GOWORK", "off").
		WithEnvVariable("CGO_ENABLED", "0").
		WithEnvVariable("GOBIN", bin).
		WithExec([]string{"go", "install", "-trimpath", "-ldflags=" + ldflags, helmModule + "/cmd/helm@" + versions.Helm}).
		File(bin + "/helm")
}

// helmContainer is the cluster's kubectl container (kubeconfig mounted,
// KUBECONFIG set, the local cluster bound) with helm: helm reaches the
// cluster exactly as kubectl does. Run every call through Cluster.Exec.
func helmContainer(dag *dagger.Client, cl *Cluster) *dagger.Container {
	return cl.Kubectl().WithFile("/usr/local/bin/helm", HelmBinary(dag))
}
