package pipeline

import (
	"context"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
)

// Packager is a deploy target that ships a package of its own instead of
// the app's image (a Function App's zip package): the run's pack stage
// builds that package with Pack, and builds no image.
type Packager interface {
	// PackPlan names the package for onepipe plan's stage list, e.g.
	// "function.zip for linux/amd64".
	PackPlan() string
	// Pack builds and checks the package on the engine (the app's source is
	// e.Pipeline.Source()) and keeps it for Deploy.
	Pack(ctx context.Context, e Engine) (Packed, error)
}

// Packed is what Pack built.
type Packed struct {
	// Detail is the pack stage's line in the summary.
	Detail string
	// Name and File are the package as the run's reports hold it (File nil:
	// none).
	Name string
	File *dagger.File
}

// packingTargets say, by target name, whether a target ships a package of
// its own in an environment (a Packager then).
var packingTargets = map[string]func(cfg config.Config, env string) bool{
	azureFunctionTarget: func(cfg config.Config, env string) bool {
		return cfg.Azure.FunctionFor(env) == config.FunctionZip
	},
}

// TargetPacks reports whether environment env's target ships a package of
// its own instead of the app's image: the run builds that package in its
// pack stage, and the app needs no Dockerfile.
func TargetPacks(cfg config.Config, env string) bool {
	packs := packingTargets[TargetName(cfg, env)]
	return packs != nil && packs(cfg, env)
}

// packager is the flow's deploy target when it ships its own package.
func (f Flow) packager() Packager {
	if f.Deploy == nil {
		return nil
	}
	pk, _ := f.Deploy.Target.(Packager)
	return pk
}

// pack is the pack stage of a flow whose target ships its own package.
func (p *Pipeline) pack(ctx context.Context, f Flow, r *Report, pk Packager) (string, error) {
	got, err := pk.Pack(ctx, p.engine(f))
	if got.File != nil {
		r.addFile(got.Name, got.File)
	}
	return got.Detail, err
}
