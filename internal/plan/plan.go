// Package plan is the one way from inputs to a runnable plan: it turns the
// app folder (on this machine, or as files the Dagger module read from the
// engine), onepipe.yaml, the command's flags or the module's arguments and
// the CI's variables into a validated plan that `onepipe plan` prints and
// every other command (and every Dagger function) runs. Bad input fails
// here, in one line, before any work starts. Defaults live here and in
// config; neither the CLI nor the module decides anything this package
// does not.
package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/cictx"
	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/project"
	"github.com/onepipe/onepipe/internal/release"
	"github.com/onepipe/onepipe/internal/versions"
	"github.com/onepipe/onepipe/pipeline"
)

// Source is the app folder.
type Source struct {
	// Dir is the folder on this machine ("" when the folder is only in the
	// engine, as for the Dagger module). git is read there outside CI.
	Dir string
	// FS is the folder's files when Dir is "" (the Dagger module's source).
	FS fs.FS
	// Name is the folder's name, the app's name when onepipe.yaml gives
	// none (default: the base name of Dir).
	Name string
}

// Inputs are a command's flags (or a Dagger function's arguments).
type Inputs struct {
	// Dockerfile is the Dockerfile's path in the source (default Dockerfile).
	Dockerfile string
	// Platforms the image is built for (default: onepipe.yaml, else linux/amd64).
	Platforms []string
	// Only limits the checks: test, lint, pack (default all three).
	Only []string
	// AllowLintFailure keeps lint findings from failing the run.
	AllowLintFailure bool
	// ExportImage adds the image as an OCI tarball to the reports.
	ExportImage bool
	// Ref overrides what the CI (or git) says is being built.
	Ref Ref
	// Publish says where the image goes (nil for commands that never push).
	Publish *Publish
	// Deploy says where the app goes (nil for commands that never deploy).
	Deploy *Deploy
	// Cache says where the registry cache goes.
	Cache Cache
	// Scan says whether and how the image is scanned.
	Scan Scan
}

// Ref overrides what is being built and where it goes.
type Ref struct {
	SHA, Ref, Branch, Tag string
	// Env is the environment to target (default: the release policy's).
	Env string
	// AllowProtected lets a non-release ref reach a protected environment.
	AllowProtected bool
}

// Publish says where the image is pushed.
type Publish struct {
	// Repository to push to; Push means image: of onepipe.yaml or the CI's
	// own registry.
	Repository string
	Push       bool
	// Username is a name or a secret reference; Password a secret reference.
	Username, Password string
	// MovingTags replace release.movingTags.
	MovingTags []string
}

// Deploy says where the app is deployed.
type Deploy struct {
	// Deploy deploys to the environment's cluster.
	Deploy bool
	// Cluster replaces the environment's cluster provider (implies Deploy).
	Cluster string
	// Kubeconfig is a secret reference to an existing cluster's kubeconfig
	// (implies Deploy, and provider existing unless Cluster says otherwise).
	Kubeconfig string
	// APIServer reaches an existing cluster's API server on the caller's
	// loopback (the Dagger module's tcp://localhost:PORT); nil: the engine's
	// host tunnel does.
	APIServer *dagger.Service
	// Review deploys the environment's settings as a review environment of
	// this name (a merge request's, e.g. mr-7): its own namespace, see
	// ReviewEnvironment (implies Deploy).
	Review string
}

func (d *Deploy) wanted() bool {
	return d != nil && (d.Deploy || d.Cluster != "" || d.Kubeconfig != "" || d.Review != "")
}

// Environment is what a plan reads from where it is made.
type Environment struct {
	// Getenv reads the CI's variables ("" for unset).
	Getenv func(string) string
	// Secrets resolves secret references.
	Secrets Secrets
}

// Secrets resolves a secret reference (env:NAME, file:PATH) to its value;
// field names the setting in errors, which never hold a value.
type Secrets interface {
	Lookup(field, ref string) (string, error)
}

// Plan is everything a run will do.
type Plan struct {
	App     *App
	CI      cictx.Context
	Release release.Decision
	// EnvName and Env are the environment the run targets.
	EnvName string
	Env     config.Environment
	// Pipeline are the app's pipeline options.
	Pipeline pipeline.Options
	// Stages are the checks (empty: test, lint and pack).
	Stages []pipeline.Stage
	// AllowLintFailure keeps lint findings from failing the run.
	AllowLintFailure bool
	// ExportImage adds the image as an OCI tarball to the reports.
	ExportImage bool
	// Publish is nil when nothing is pushed.
	Publish *PublishPlan
	// Deploy is nil unless the run deploys.
	Deploy *DeployPlan
	// Cache is nil unless the run keeps its environments in a registry.
	Cache *CachePlan
	// Scan is nil unless the run scans the image.
	Scan *ScanPlan

	secrets map[pipeline.SecretKind]string // resolved secret values; never printed
}

// PublishPlan is where the image goes.
type PublishPlan struct {
	Repository string
	Username   string
	// PasswordRef names where the password comes from (env:NAME / file:PATH).
	PasswordRef string
	Tags        []string
}

// DeployPlan is where the app goes: the cluster (nil for targets that need
// none) and the target.
type DeployPlan struct {
	Cluster pipeline.ClusterProvider
	Target  pipeline.Target
}

// Resolve makes the plan of a run from the app, the inputs and the
// environment.
func Resolve(app *App, in Inputs, env Environment) (*Plan, error) {
	stages, err := parseStages(in.Only)
	if err != nil {
		return nil, err
	}
	cfg := app.Config
	proj, err := app.Project.WithTestSettings(cfg.Test.Extra, cfg.Test.Requirements)
	if err != nil {
		return nil, err
	}
	p := &Plan{App: app, Stages: stages, ExportImage: in.ExportImage, secrets: map[pipeline.SecretKind]string{}}
	p.AllowLintFailure = in.AllowLintFailure || cfg.Lint.AllowFailure
	if len(p.Stages) == 0 && proj.Dockerfile == "" && cfg.Azure.FunctionZip.App != "" && !in.publishing() && !in.Deploy.wanted() {
		// a Function App deployed as a zip has no image to pack
		p.Stages = []pipeline.Stage{pipeline.StageTest, pipeline.StageLint}
	}
	var noDockerfile error // unless the environment's target ships its own package
	if p.needsImage(in) {
		if err := proj.RequireDockerfile(in.Dockerfile); err != nil {
			if !in.Deploy.wanted() || in.publishing() {
				return nil, err
			}
			noDockerfile = err
		}
	}
	if in.ExportImage && !p.needsImage(in) {
		return nil, errors.New("--export-image needs the pack stage: drop --only or include pack")
	}
	if p.wants(pipeline.StageTest) && cfg.Runtime == "" {
		// a runtime: image of the user's may bring pytest itself
		if err := proj.MissingTestTool(cfg.Test.Command); err != nil {
			return nil, err
		}
	}
	platforms, err := parsePlatforms(in.Platforms, cfg.Platforms)
	if err != nil {
		return nil, err
	}
	if err := p.resolveRelease(env, in); err != nil {
		return nil, err
	}
	if in.publishing() {
		if err := p.resolvePublish(env, *in.Publish); err != nil {
			return nil, err
		}
	}
	if err := p.resolveCache(in.Cache); err != nil {
		return nil, err
	}
	if in.Deploy.wanted() {
		if len(p.Stages) > 0 && !slices.Contains(p.Stages, pipeline.StagePack) {
			p.Stages = append(p.Stages, pipeline.StagePack) // the deploy needs the image
		}
		if noDockerfile != nil && !pipeline.TargetPacks(cfg, p.EnvName) {
			return nil, noDockerfile
		}
		if err := p.resolveDeploy(env, *in.Deploy); err != nil {
			return nil, err
		}
	}
	if err := p.resolveScan(in, time.Now()); err != nil {
		return nil, err
	}
	lint := proj.Linter(cfg.Lint.Tool)
	p.Pipeline = pipeline.Options{
		App:                   cfg.App,
		Runtime:               runtimeImage(cfg, proj),
		Requirements:          proj.Requirements,
		RequirementPaths:      proj.LocalPaths,
		DevRequirements:       proj.DevRequirements,
		PyProjectRequirements: proj.TestRequirements,
		InstallProject:        proj.Install,
		Dockerfile:            proj.Dockerfile,
		Platforms:             platforms,
		TestCommand:           cfg.Test.Command,
		LintTool:              lint.Tool,
		LintRequirements:      proj.LintRequirements(),
		LintPaths:             cfg.Lint.Paths,
		Labels: pipeline.Labels{
			Source:   p.CI.ProjectURL,
			Revision: p.CI.SHA,
			Created:  p.CI.CommitTime,
		},
	}
	return p, nil
}

// publishing reports whether a push was asked for.
func (in Inputs) publishing() bool {
	return in.Publish != nil && (in.Publish.Repository != "" || in.Publish.Push)
}

// wants reports whether the run has stage s among its checks.
func (p *Plan) wants(s pipeline.Stage) bool {
	return len(p.Stages) == 0 || slices.Contains(p.Stages, s)
}

// needsImage reports whether the run builds the image.
func (p *Plan) needsImage(in Inputs) bool {
	return in.publishing() || in.Deploy.wanted() || len(p.Stages) == 0 || slices.Contains(p.Stages, pipeline.StagePack)
}

// runtimeImage: onepipe.yaml's runtime, else the Dockerfile's python base, else the default.
func runtimeImage(cfg config.Config, proj project.Project) string {
	switch {
	case cfg.Runtime != "":
		return cfg.Runtime
	case project.IsPythonImage(proj.BaseImage):
		return proj.BaseImage
	}
	return versions.DefaultRuntime
}

// parseStages checks --only.
func parseStages(names []string) ([]pipeline.Stage, error) {
	known := []pipeline.Stage{pipeline.StageTest, pipeline.StageLint, pipeline.StagePack}
	var out []pipeline.Stage
	for _, n := range names {
		s := pipeline.Stage(strings.ToLower(strings.TrimSpace(n)))
		if !slices.Contains(known, s) {
			return nil, fmt.Errorf("unknown stage %q in --only: use test, lint or pack", n)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}
