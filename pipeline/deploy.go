package pipeline

import (
	"context"
	"io/fs"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/kube"
)

// Target is where a release goes: Kubernetes manifests today; a Helm chart,
// a Docker host and Azure Functions are each one more type behind this
// interface, in a file of their own, with a line in deployTargets.
type Target interface {
	// Plan describes the deploy, one line each, for onepipe plan. It calls
	// nothing.
	Plan() []string
	// Deploy releases the app: to.Image is the pushed ref@digest when the
	// run published one. A failed Deploy is followed by Rollback.
	Deploy(ctx context.Context, to Destination) (Deployed, error)
	// Rollback undoes what the failed Deploy changed, as far as it can, and
	// returns the error that says what failed and what the environment is
	// left with (a *DeployError).
	Rollback(ctx context.Context, failed error) error
	// Address is where the app answers after Deploy ("" before, or when it
	// has none).
	Address() string
}

// TargetInput is what a target is made from, before any work starts.
type TargetInput struct {
	// Config is onepipe.yaml, defaults applied.
	Config config.Config
	// Env names the environment (dev, prod ...).
	Env string
	// Files is the app folder.
	Files fs.FS
	// Image is the reference the release names before anything is pushed
	// (the repository:tag to be pushed, or the local cluster's own name);
	// Version its tag.
	Image, Version string
	// Secret resolves a secret reference; field names the setting in errors.
	// Targets resolve every secret they need when they are made.
	Secret func(field, ref string) (string, error)
}

// targetKind is a deploy target and the onepipe.yaml settings that choose it.
type targetKind struct {
	name string
	// chosen says whether the settings of environment env pick this target.
	chosen func(cfg config.Config, env string) bool
	// cluster is true for targets that deploy to a Kubernetes cluster, which
	// a ClusterProvider makes ready beside the checks.
	cluster bool
	make    func(TargetInput) (Target, error)
}

// deployTargets is the one registry of deploy targets; the first whose
// settings are present wins, the last is the default.
var deployTargets = []targetKind{
	{name: "docker", chosen: func(cfg config.Config, env string) bool { return cfg.Environments[env].Docker != nil }, make: newDockerTarget},
	{name: azureFunctionTarget, chosen: chooseAzureFunction, cluster: false, make: newAzureFunctionTarget},
	{name: "helm", chosen: func(cfg config.Config, _ string) bool { return cfg.Deploy.Chart != nil }, cluster: true, make: newHelmTarget},
	{name: "kubernetes", chosen: func(config.Config, string) bool { return true }, cluster: true, make: newKubernetesTarget},
}

// targetKindOf is the kind of target environment env deploys to.
func targetKindOf(cfg config.Config, env string) targetKind {
	for _, k := range deployTargets {
		if k.chosen(cfg, env) {
			return k
		}
	}
	return deployTargets[len(deployTargets)-1]
}

// TargetUsesCluster reports whether environment env deploys to a Kubernetes
// cluster (so the run has a cluster stage).
func TargetUsesCluster(cfg config.Config, env string) bool { return targetKindOf(cfg, env).cluster }

// TargetName names the kind of target environment env deploys to
// (kubernetes ...), for messages.
func TargetName(cfg config.Config, env string) string { return targetKindOf(cfg, env).name }

// NewTarget makes the deploy target of the environment in.Env, checking its
// settings and rendering what it deploys, so that bad input fails before any
// work.
func NewTarget(in TargetInput) (Target, error) {
	if _, err := in.Config.Environment(in.Env); err != nil {
		return nil, err
	}
	if in.Secret == nil {
		in.Secret = func(string, string) (string, error) { return "", nil }
	}
	return targetKindOf(in.Config, in.Env).make(in)
}

// Destination is where Deploy works during a run.
type Destination struct {
	Engine
	// Cluster is the environment's cluster, ready (nil for targets that
	// need none: TargetUsesCluster).
	Cluster *Cluster
	// Image is the pushed ref@digest to deploy ("" when nothing was pushed).
	Image string
	// Registry is where Image was pushed, with the login a host that pulls
	// it uses (nil when nothing was pushed).
	Registry *Registry
}

// Deployed is what a successful deploy left.
type Deployed struct {
	// Address is where the app answers: the ingress host or the load
	// balancer's address as a URL, or "" when there is none yet.
	Address string
	// Note explains the address, e.g. that the local cluster has no load balancer.
	Note string
	// Smoke are the smoke checks' results.
	Smoke []kube.SmokeResult
	// Summary is one line for the run's summary, e.g. "IMAGE to namespace
	// shop-dev, 5 smoke checks passed".
	Summary string
}

// AddressLine is the address with its note, for output: "http://shop.example.com
// (load balancer 34.1.2.3)", or "none (...)" when there is no address.
func (d Deployed) AddressLine() string {
	a := d.Address
	if a == "" {
		a = "none"
	}
	if d.Note != "" {
		a += " (" + d.Note + ")"
	}
	return a
}

// DeployError is a failed deploy: what failed, and the state it left.
type DeployError struct {
	// Message says what failed and what the rollback did, in one line.
	Message string
	// Cause is the failure of the step.
	Cause error
}

func (e *DeployError) Error() string {
	if e.Cause == nil {
		return e.Message
	}
	return e.Message + " (" + e.Cause.Error() + ")"
}

func (e *DeployError) Unwrap() error { return e.Cause }

// LocalImageRef names the app's image on the local cluster, which pulls
// nothing: the engine loads (real node) or serves (kwok) what it built.
func LocalImageRef(app, version string) string { return "onepipe.local/" + app + ":" + version }

// ReleaseImages lists the images a target's release names and the app's own
// among them, for a cluster that loads them; a target that names no images
// (one that is not a container platform) has none.
func ReleaseImages(t Target) (refs []string, app string) {
	if i, ok := t.(interface{ ReleaseImages() ([]string, string) }); ok {
		return i.ReleaseImages()
	}
	return nil, ""
}
