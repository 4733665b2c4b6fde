// Package versions pins every image onepipe starts from and every tool
// version it installs or writes into a CI file: each is named here, once,
// and nowhere else. Bumping one is an edit of this file.
package versions

// The app's Python images.
const (
	// DefaultRuntime is the Python image tests and lint run in when neither
	// onepipe.yaml (runtime:) nor the app's Dockerfile names one.
	DefaultRuntime = "python:3.11-slim"
	// AzurePython is the Python version Function App zip packages are built
	// with when azure.functionZip.pythonVersion names none; the package is
	// built in AzurePythonImage(that version).
	AzurePython = "3.11"
	// DefaultPlatform is the platform images are built for: the usual
	// cluster, whatever the laptop running onepipe is.
	DefaultPlatform = "linux/amd64"
	// Flake8 and Ruff bound the linters installed when the app's own
	// requirements do not provide them.
	Flake8 = "flake8>=5,<8"
	Ruff   = "ruff>=0.4,<1"
)

// AzurePythonImage is the image a Function App zip package for Python
// version v (e.g. 3.11) is built in.
func AzurePythonImage(v string) string { return "python:" + v + "-slim" }

// The local cluster: Kubernetes built from the Go module proxy, run with
// kwok or a real node; its kubectl reaches every cluster.
const (
	// DebianImage runs the local cluster (etcd from Debian), kubectl and kops.
	DebianImage = "debian:bookworm-slim"
	// GolangImage builds the local cluster's binaries.
	GolangImage = "golang:1.26"
	// Kubernetes is the k8s.io/kubernetes module version built.
	Kubernetes = "v1.37.2"
	// KubernetesStaging is the matching k8s.io/* staging module version.
	KubernetesStaging = "v0.37.2"
	// Kwok is the sigs.k8s.io/kwok module version built.
	Kwok = "v0.8.0"
	// Kops is the kops release the kops provider runs. kops publishes no
	// image of its CLI: the engine downloads the static binary.
	Kops = "v1.32.0"
	// Helm is the helm.sh/helm/v3 module version the Helm chart target
	// builds (in GolangImage) and deploys with.
	Helm = "v3.22.0"
)

// The scan stage.
const (
	// OSVScanner is the github.com/google/osv-scanner/v2 module version the
	// scan stage builds (in GolangImage) and scans images with.
	OSVScanner = "v2.6.0"
	// OSVScannerGo is the Go toolchain OSVScanner is built with: its go.mod
	// asks for a newer Go than GolangImage has, and the go command fetches
	// this one from the Go module proxy (GOTOOLCHAIN).
	OSVScannerGo = "go1.27.4"
)

// The Docker host target.
const (
	// DockerCLIImage is the docker CLI every docker command of the Docker
	// host target runs in (docker:cli: the static CLI, and openssh-client
	// for ssh:// hosts). The major version pins the CLI's flags; the CLI
	// negotiates the API version with older daemons.
	DockerCLIImage = "docker:27-cli"
	// DockerDaemonImage is the Docker daemon the end-to-end tests deploy
	// to, run as a Dagger service.
	DockerDaemonImage = "docker:27-dind"
)

// What the CI files onepipe writes install.
const (
	// Dagger is the Dagger CLI (and engine) the shims install: the one
	// onepipe's SDK (dagger.io/dagger) speaks to.
	Dagger = "0.21.8"
	// Go is the Go toolchain that builds onepipe in the job.
	Go = "1.26.1"
	// Docker is the docker:dind service GitLab jobs start the engine in.
	Docker = "27.2.0"
	// DaggerEngineImage is the engine `onepipe engine manifests` runs in a
	// team's cluster: the same release as the CLI the shims install.
	DaggerEngineImage = "registry.dagger.io/engine:v" + Dagger
)
