package pipeline

// Every image a stage starts from is named here, pinned, and nowhere else.
const (
	// DefaultRuntime is the Python image tests and lint run in when neither
	// onepipe.yaml (runtime:) nor the app's Dockerfile names one.
	DefaultRuntime = "python:3.11-slim"
	// AzureDefaultPythonImage is the image Function App zip packages are
	// built in when none is given: it must match the app's Python version
	// on Azure.
	AzureDefaultPythonImage = "python:3.11-slim"
	// DefaultPlatform is the platform images are built for: the usual cluster,
	// whatever the laptop running onepipe is.
	DefaultPlatform = "linux/amd64"
	// Flake8Version and RuffVersion bound the linters installed when the app's
	// own requirements do not provide them.
	Flake8Version = "flake8>=5,<8"
	RuffVersion   = "ruff>=0.4,<1"
)

// The local cluster: Kubernetes built from the Go module proxy, run with kwok.
const (
	// DebianImage runs the local cluster (etcd from Debian) and kubectl.
	DebianImage = "debian:bookworm-slim"
	// GolangImage builds the local cluster's binaries.
	GolangImage = "golang:1.26"
	// KubernetesVersion is the k8s.io/kubernetes module version built.
	KubernetesVersion = "v1.37.2"
	// KubernetesStagingVersion is the matching k8s.io/* staging module version.
	KubernetesStagingVersion = "v0.37.2"
	// KwokVersion is the sigs.k8s.io/kwok module version built.
	KwokVersion = "v0.8.0"
)

// Cloud cluster tools.
const (
	// KopsVersion is the kops release the kops provider runs. kops
	// publishes no image of its CLI: the engine downloads the static binary.
	KopsVersion = "v1.32.0"
)
