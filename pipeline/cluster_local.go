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
	//go:embed assets/cluster-pki.sh
	clusterPKIScript string
	//go:embed assets/cluster-up.sh
	clusterUpScript string
	//go:embed assets/kwok-node.yaml
	kwokNode string
)

// LocalClusterHost is the name the local cluster's API server has for the
// containers bound to it (and in its certificate).
const LocalClusterHost = "onepipe-k8s"

// LocalCluster is an ephemeral Kubernetes run by the engine as a service: a
// real API server on etcd, the controller manager and scheduler, and one
// kwok node that makes pods Ready without running them. It needs no
// privileges. It lives as long as the engine session that uses it.
type LocalCluster struct {
	dag *dagger.Client
}

// NewLocalCluster describes the local cluster; nothing starts until a
// container bound to its Service runs.
func NewLocalCluster(dag *dagger.Client) *LocalCluster { return &LocalCluster{dag: dag} }

// base is Debian with etcd and openssl.
func (c *LocalCluster) base() *dagger.Container {
	return c.dag.Container().
		From(DebianImage).
		WithEnvVariable("DEBIAN_FRONTEND", "noninteractive").
		WithExec([]string{"apt-get", "update", "-qq"}).
		WithExec([]string{"apt-get", "install", "-y", "-qq", "--no-install-recommends", "etcd-server", "openssl", "ca-certificates"})
}

// PKI is the cluster's CA, server and admin certificates and kubeconfigs.
func (c *LocalCluster) PKI() *dagger.Directory {
	return c.base().
		WithNewFile("/onepipe/cluster-pki.sh", clusterPKIScript, dagger.ContainerWithNewFileOpts{Permissions: 0o755}).
		WithExec([]string{"/onepipe/cluster-pki.sh", LocalClusterHost, "/pki"}).
		Directory("/pki")
}

// Kubeconfig reaches the cluster as https://onepipe-k8s:6443 from containers
// bound to Service under LocalClusterHost.
func (c *LocalCluster) Kubeconfig() *dagger.File {
	return c.PKI().File("admin.kubeconfig")
}

// Service runs the control plane and the kwok node.
func (c *LocalCluster) Service() *dagger.Service {
	return c.base().
		WithDirectory("/k8s", KubernetesBinaries(c.dag)).
		WithDirectory("/pki", c.PKI()).
		WithNewFile("/onepipe/cluster-up.sh", clusterUpScript, dagger.ContainerWithNewFileOpts{Permissions: 0o755}).
		WithNewFile("/onepipe/kwok-node.yaml", kwokNode).
		WithExposedPort(6443).
		AsService(dagger.ContainerAsServiceOpts{Args: []string{"/onepipe/cluster-up.sh", "/k8s", "/pki"}})
}

// Kubectl is a container with kubectl bound to the running cluster; its
// first steps wait until the kwok node exists and is Ready (the service
// counts as up once its port opens, a moment before that).
func (c *LocalCluster) Kubectl() *dagger.Container {
	return c.dag.Container().
		From(DebianImage).
		WithFile("/usr/local/bin/kubectl", KubernetesBinaries(c.dag).File("k8s-allinone")).
		WithFile("/root/.kube/config", c.Kubeconfig()).
		WithServiceBinding(LocalClusterHost, c.Service()).
		WithExec([]string{"kubectl", "wait", "--for=create", "node/kwok-node-0", "--timeout=120s"}).
		WithExec([]string{"kubectl", "wait", "--for=condition=Ready", "node/kwok-node-0", "--timeout=120s"})
}

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
