package pipeline

import (
	_ "embed"

	"dagger.io/dagger"
)

var (
	//go:embed assets/k8s-allinone.go.txt
	k8sAllInOne string
	//go:embed assets/k8s-build.sh
	k8sBuildScript string
)

// KubernetesBinaries builds the local cluster's components from the Go module
// proxy in a golang container: one k8s-allinone binary (kube-apiserver,
// kube-controller-manager, kube-scheduler, kubectl, as symlinks) and kwok with
// its fast stages (kwok-stages.yaml). The first build takes minutes; the
// engine caches the result, and the Go module and build caches are cache
// volumes, so a version bump rebuilds incrementally.
func KubernetesBinaries(dag *dagger.Client) *dagger.Directory {
	const out = "/out"
	return dag.Container().
		From(GolangImage).
		WithMountedCache("/go/pkg/mod", dag.CacheVolume("onepipe-go-mod")).
		WithMountedCache("/root/.cache/go-build", dag.CacheVolume("onepipe-go-build")).
		WithEnvVariable("GOFLAGS", "-mod=mod").
		WithEnvVariable("GOWORK", "off").
		WithEnvVariable("CGO_ENABLED", "0").
		WithNewFile("/onepipe/k8s-build.sh", k8sBuildScript, dagger.ContainerWithNewFileOpts{Permissions: 0o755}).
		WithNewFile("/onepipe/k8s-allinone.go", k8sAllInOne).
		WithExec([]string{"/onepipe/k8s-build.sh", KubernetesVersion, KubernetesStagingVersion, KwokVersion, out}).
		Directory(out)
}
