package pipeline

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/versions"
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
	//go:embed assets/node-up.sh
	nodeUpScript string
)

// LocalClusterHost is the name the local cluster's API server has for the
// containers bound to it (and in its certificate).
const LocalClusterHost = "onepipe-k8s"

// LocalCluster is a Kubernetes run by the engine as a service: a real API
// server on etcd, the controller manager and scheduler, and one kwok node
// that makes pods Ready without running them. It needs no privileges. It
// runs as long as the engine session that uses it; its etcd data is kept in
// the engine cache volume onepipe-cluster-NAME, so the next run finds what
// the last one deployed (revisions to roll back to included). One run at a
// time uses a given cluster: a second waits for the first to end.
type LocalCluster struct {
	dag    *dagger.Client
	name   string
	svc    *dagger.Service
	real   bool
	images []NodeImage
	// bins and baseImage replace the Kubernetes build and the Debian base
	// when they come from the registry cache (useCache).
	bins      *dagger.Directory
	baseImage *dagger.Container
}

// NodeImage is an image loaded into the real node (WithRealNode) under Ref.
type NodeImage struct {
	Ref     string
	Tarball *dagger.File
}

// WithRealNode replaces the kwok node with a real one: containerd, runc and
// the kubelet run the pods, so the smoke checks reach real containers. It
// needs root capabilities in the engine (InsecureRootCapabilities). The node
// pulls nothing: images are loaded into it at start, and kept with its state
// (apart from the kwok cluster of the same name) for the next start.
func (c *LocalCluster) WithRealNode(images ...NodeImage) *LocalCluster {
	c.real, c.images, c.svc = true, images, nil
	return c
}

// DefaultLocalClusterName names the local cluster when the environment does not.
const DefaultLocalClusterName = "local"

// NewLocalCluster describes the local cluster called name (its state's
// cache volume); nothing starts until Ensure or a container bound to its
// Service runs.
func NewLocalCluster(dag *dagger.Client, name string) *LocalCluster {
	if name == "" {
		name = DefaultLocalClusterName
	}
	return &LocalCluster{dag: dag, name: name}
}

// Ensure starts the cluster (or finds it running in this session), waits
// until its node is Ready and returns it with an admin kubeconfig as a
// secret. The service stays up until the session ends.
func (c *LocalCluster) Ensure(ctx context.Context) (*Cluster, error) {
	if _, err := c.Service().Start(ctx); err != nil {
		return nil, fmt.Errorf("start the local cluster %s: %w", c.name, Explain(err))
	}
	kc, err := c.Kubeconfig().Contents(ctx)
	if err != nil {
		return nil, fmt.Errorf("local cluster %s: kubeconfig: %w", c.name, Explain(err))
	}
	base := kubectlContainer(c.dag, c.binaries()).WithServiceBinding(LocalClusterHost, c.Service())
	cl := newCluster("local cluster "+c.name, base, NewSecret(c.dag, SecretKubeconfig, "local-"+c.name, kc))
	cl.InEngine, cl.Simulated, cl.PortForward = true, !c.real, c.real
	node := "node/kwok-node-0"
	if c.real {
		node = "node/onepipe-node"
		cl.Name += " (real node)"
	}
	for _, args := range [][]string{
		{"kubectl", "wait", "--for=create", node, "--timeout=120s"},
		{"kubectl", "wait", "--for=condition=Ready", node, "--timeout=120s"},
	} {
		if _, err := cl.Exec(ctx, cl.Kubectl(), args); err != nil {
			return nil, fmt.Errorf("local cluster %s: node not ready: %w", c.name, err)
		}
	}
	return cl, nil
}

// basePackages are the Debian packages of the cluster's image: etcd and
// openssl; with a real node also containerd, runc and the CNI plugins.
func (c *LocalCluster) basePackages() []string {
	pkgs := []string{"etcd-server", "openssl", "ca-certificates"}
	if c.real {
		pkgs = append(pkgs, "containerd", "runc", "containernetworking-plugins", "iproute2", "iptables")
	}
	return pkgs
}

// base is Debian with basePackages.
func (c *LocalCluster) base() *dagger.Container {
	if c.baseImage != nil {
		return c.baseImage
	}
	return c.dag.Container().
		From(versions.DebianImage).
		WithEnvVariable("DEBIAN_FRONTEND", "noninteractive").
		WithExec([]string{"apt-get", "update", "-qq"}).
		WithExec(append([]string{"apt-get", "install", "-y", "-qq", "--no-install-recommends"}, c.basePackages()...))
}

// binaries are the Kubernetes components the cluster runs.
func (c *LocalCluster) binaries() *dagger.Directory {
	if c.bins != nil {
		return c.bins
	}
	return KubernetesBinaries(c.dag)
}

// useCache takes the cluster's base image and Kubernetes binaries from the
// registry cache (pushing them when it has none), so that a fresh engine
// pulls them instead of running apt and compiling Kubernetes.
func (c *LocalCluster) useCache(ctx context.Context, cache *RegistryCache) error {
	if cache == nil {
		return nil
	}
	bins, err := cachedBinaries(ctx, c.dag, cache)
	if err != nil {
		return err
	}
	debian, err := c.dag.Container().From(versions.DebianImage).ImageRef(ctx)
	if err != nil {
		return fmt.Errorf("local cluster %s: %s: %w", c.name, versions.DebianImage, Explain(err))
	}
	base, _, err := cache.Container(ctx, c.dag, "cluster-base", CacheKey(debian, strings.Join(c.basePackages(), " ")), c.base)
	if err != nil {
		return fmt.Errorf("local cluster %s: %w", c.name, err)
	}
	c.bins, c.baseImage, c.svc = bins, base, nil
	return nil
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

// Service runs the control plane and the kwok node. The same value is
// returned each time, so every binding shares one running cluster.
func (c *LocalCluster) Service() *dagger.Service {
	if c.svc != nil {
		return c.svc
	}
	mode, state, base := "kwok", "onepipe-cluster-"+c.name, c.base()
	if c.real {
		mode, state = "real", state+"-real"
		base = base.
			WithDirectory("/onepipe/images", c.nodeImages()).
			WithNewFile("/onepipe/node-up.sh", nodeUpScript, dagger.ContainerWithNewFileOpts{Permissions: 0o755}).
			WithMountedCache("/var/lib/onepipe-node-root", c.dag.CacheVolume(state+"-node"), dagger.ContainerWithMountedCacheOpts{Sharing: dagger.CacheSharingModeLocked}).
			WithMountedTemp("/var/lib/onepipe-node")
	}
	c.svc = base.
		WithDirectory("/k8s", c.binaries()).
		WithDirectory("/pki", c.PKI()).
		WithNewFile("/onepipe/cluster-up.sh", clusterUpScript, dagger.ContainerWithNewFileOpts{Permissions: 0o755}).
		WithNewFile("/onepipe/kwok-node.yaml", kwokNode).
		WithMountedCache(localClusterState, c.dag.CacheVolume(state), dagger.ContainerWithMountedCacheOpts{Sharing: dagger.CacheSharingModeLocked}).
		WithExposedPort(6443).
		AsService(dagger.ContainerAsServiceOpts{Args: []string{"/onepipe/cluster-up.sh", "/k8s", "/pki", localClusterState, mode}, InsecureRootCapabilities: c.real})
	return c.svc
}

// nodeImages is the folder node-up.sh loads: NAME.tar and NAME.ref per
// image, with the pause image built from Kubernetes' source.
func (c *LocalCluster) nodeImages() *dagger.Directory {
	pause := c.dag.Container().
		WithFile("/pause", c.binaries().File("pause")).
		WithEntrypoint([]string{"/pause"}).
		AsTarball()
	dir := c.dag.Directory().WithFile("0.tar", pause).WithNewFile("0.ref", "onepipe.local/pause:1")
	for i, img := range c.images {
		name := fmt.Sprint(i + 1)
		dir = dir.WithFile(name+".tar", img.Tarball).WithNewFile(name+".ref", img.Ref)
	}
	return dir
}

// localClusterState holds etcd's data in the cluster service.
const localClusterState = "/var/lib/onepipe-cluster"

// KubernetesBinaries builds the local cluster's components from the Go module
// proxy in a golang container: one k8s-allinone binary (kube-apiserver,
// kube-controller-manager, kube-scheduler, kubectl, as symlinks) and kwok with
// its fast stages (kwok-stages.yaml). The first build takes minutes; the
// engine caches the result, and the Go module and build caches are cache
// volumes, so a version bump rebuilds incrementally.
func KubernetesBinaries(dag *dagger.Client) *dagger.Directory {
	const out = "/out"
	return goBuilder(dag, "GOFLAGS", "-mod=mod").
		WithNewFile("/onepipe/k8s-build.sh", k8sBuildScript, dagger.ContainerWithNewFileOpts{Permissions: 0o755}).
		WithNewFile("/onepipe/k8s-allinone.go", k8sAllInOne).
		WithExec([]string{"/onepipe/k8s-build.sh", versions.Kubernetes, versions.KubernetesStaging, versions.Kwok, out}).
		Directory(out)
}

// localProvider is the local cluster: kwok by default, a real node with
// cluster.localNode: real.
type localProvider struct {
	name   string
	real   bool
	images func() (refs []string, app string)
}

func newLocalProvider(in ClusterInput) (ClusterProvider, error) {
	c := in.Cluster
	switch c.LocalNode {
	case "", config.LocalNodeKwok, config.LocalNodeReal:
	default:
		return nil, fmt.Errorf("environments.%s.cluster.localNode %q: use kwok or real", in.Env, c.LocalNode)
	}
	name := c.Name
	if name == "" {
		name = DefaultLocalClusterName
	}
	images := in.Images
	if images == nil {
		images = func() ([]string, string) { return nil, "" }
	}
	return &localProvider{name: name, real: c.LocalNode == config.LocalNodeReal, images: images}, nil
}

func (p *localProvider) Plan() []string {
	if p.real {
		refs, _ := p.images()
		return []string{fmt.Sprintf("local cluster %q run by the engine (Kubernetes %s, one real node with containerd, root capabilities; images loaded by the engine: %s; smoke checks through kubectl port-forward)",
			p.name, versions.Kubernetes, strings.Join(refs, ", "))}
	}
	return []string{fmt.Sprintf("local cluster %q run by the engine (Kubernetes %s, one kwok node; smoke checks against the image as a Dagger service)", p.name, versions.Kubernetes)}
}

// Ensure starts the cluster; a real node gets the images the manifests name,
// the app's from the run's pack.
func (p *localProvider) Ensure(ctx context.Context, e Engine) (*Cluster, error) {
	lc := NewLocalCluster(e.Dag, p.name)
	if p.real {
		refs, app := p.images()
		lc = lc.WithRealNode(nodeImages(e, refs, app)...)
	}
	if err := lc.useCache(ctx, e.Cache); err != nil {
		return nil, err
	}
	return lc.Ensure(ctx)
}

// PullsImages is false: the local cluster runs what the engine built.
func (p *localProvider) PullsImages() bool { return false }

// Reach starts the cluster with what the last deploy left (a real node keeps
// the images it loaded then).
func (p *localProvider) Reach(ctx context.Context, e Engine) (*Cluster, error) {
	lc := NewLocalCluster(e.Dag, p.name)
	if p.real {
		lc = lc.WithRealNode()
	}
	if err := lc.useCache(ctx, e.Cache); err != nil {
		return nil, err
	}
	return lc.Ensure(ctx)
}

// nodeImages are the images a real local node gets for refs: app (the
// reference the manifests give the app's image) from the run's pack, the
// others pulled by the engine.
func nodeImages(e Engine, refs []string, app string) []NodeImage {
	var out []NodeImage
	for _, ref := range refs {
		img := e.Dag.Container().From(ref)
		if ref == app && e.Pipeline != nil {
			img = e.Pipeline.Image(e.Pipeline.opts.Platforms[0])
		}
		out = append(out, NodeImage{Ref: ref, Tarball: img.AsTarball()})
	}
	return out
}

// cachedBinaries are KubernetesBinaries through the registry cache, keyed
// by the versions built, the build's own files and the golang image's
// digest.
func cachedBinaries(ctx context.Context, dag *dagger.Client, cache *RegistryCache) (*dagger.Directory, error) {
	if cache == nil {
		return KubernetesBinaries(dag), nil
	}
	golang, err := dag.Container().From(versions.GolangImage).ImageRef(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", versions.GolangImage, Explain(err))
	}
	key := CacheKey(golang, versions.Kubernetes, versions.KubernetesStaging, versions.Kwok, k8sBuildScript, k8sAllInOne)
	bins, _, err := cache.Directory(ctx, dag, "k8s-binaries", key, func() *dagger.Directory { return KubernetesBinaries(dag) })
	return bins, err
}

// goBuilder is the golang image onepipe builds its tools in (Kubernetes,
// helm, osv-scanner) from the Go module proxy: static binaries, the Go
// module and build caches as cache volumes shared by every tool, so a
// version bump rebuilds incrementally. env are NAME, value pairs set
// before the common ones (their order is part of the build's cache key).
func goBuilder(dag *dagger.Client, env ...string) *dagger.Container {
	ctr := dag.Container().
		From(versions.GolangImage).
		WithMountedCache("/go/pkg/mod", dag.CacheVolume("onepipe-go-mod")).
		WithMountedCache("/root/.cache/go-build", dag.CacheVolume("onepipe-go-build"))
	for i := 0; i+1 < len(env); i += 2 {
		ctr = ctr.WithEnvVariable(env[i], env[i+1])
	}
	return ctr.
		WithEnvVariable("GOWORK", "off").
		WithEnvVariable("CGO_ENABLED", "0")
}
