package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/azure"
	"github.com/onepipe/onepipe/internal/cictx"
	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/project"
	"github.com/onepipe/onepipe/internal/release"
	"github.com/onepipe/onepipe/internal/secretref"
	"github.com/onepipe/onepipe/pipeline"
)

// plan is everything a run will do, resolved from flags, onepipe.yaml, the
// source folder and the CI before the engine is touched. `onepipe plan` prints
// it; every other command executes it. Bad input fails here, in one line.
type plan struct {
	Project  project.Project
	Config   config.Config
	CI       cictx.Context
	Release  release.Decision
	EnvName  string
	Env      config.Environment
	Pipeline pipeline.Options
	Stages   []pipeline.Stage
	// AllowLintFailure keeps lint findings from failing the run.
	AllowLintFailure bool
	// OutDir is where reports land on the host.
	OutDir string
	// Publish is nil when nothing is pushed.
	Publish *publishPlan
	// Kube is nil unless the run deploys to Kubernetes.
	Kube *kubePlan
	// Targets are extra lines (deploy, Azure) shown by `onepipe plan`.
	Targets []string
	// secrets are resolved secret values by name, handed to the engine with
	// SetSecret and never printed.
	secrets map[string]string
}

// publishPlan is where the image goes.
type publishPlan struct {
	Repository string
	Username   string
	// PasswordRef names where the password comes from (env:NAME / file:PATH).
	PasswordRef string
	Tags        []string
}

// resolveInputs are the flag groups a command offers (nil when it has none).
type resolveInputs struct {
	Source  sourceOptions
	Ref     refOptions
	Publish *publishOptions
	Stages  []pipeline.Stage
	// AllowLintFailure is the --allow-lint-failure flag (false: use onepipe.yaml).
	AllowLintFailure bool
	// Deploy holds the deploy flags (nil for commands that do not deploy).
	Deploy *deployOptions
}

func resolve(env *Env, in resolveInputs) (*plan, error) {
	proj, err := project.Inspect(in.Source.Source, in.Source.Dockerfile)
	if err != nil {
		return nil, usageError(err)
	}
	cfg, err := config.Load(proj.Dir)
	if err != nil {
		return nil, usageError(err)
	}
	p := &plan{Project: proj, Config: cfg, Stages: in.Stages, OutDir: in.Source.Out, secrets: map[string]string{}}
	p.AllowLintFailure = in.AllowLintFailure || cfg.Lint.AllowFailure

	if len(p.Stages) == 0 && proj.Dockerfile == "" && cfg.Azure.FunctionZip.App != "" && !in.publishing() {
		// a Function App deployed as a zip has no image to pack
		p.Stages = []pipeline.Stage{pipeline.StageTest, pipeline.StageLint}
		in.Stages = p.Stages
	}
	if needsImage(in) {
		if err := proj.RequireDockerfile(in.Source.Dockerfile); err != nil {
			return nil, usageError(err)
		}
	}
	platforms, err := parsePlatforms(in.Source.Platforms, cfg.Platforms)
	if err != nil {
		return nil, usageError(err)
	}

	if err := p.resolveRelease(env, in); err != nil {
		return nil, err
	}
	if in.publishing() {
		if err := p.resolvePublish(env, *in.Publish); err != nil {
			return nil, err
		}
	}

	if in.Deploy != nil && in.Deploy.wanted() {
		if len(p.Stages) > 0 && !slices.Contains(p.Stages, pipeline.StagePack) {
			p.Stages = append(p.Stages, pipeline.StagePack) // the deploy needs the image
		}
		if err := p.resolveDeploy(env, *in.Deploy); err != nil {
			return nil, err
		}
	}
	p.Targets = append(p.Targets, azure.PlanLines(cfg.Azure)...)

	p.Pipeline = pipeline.Options{
		App:              cfg.App,
		Runtime:          runtimeImage(cfg, proj),
		Requirements:     proj.Requirements,
		RequirementPaths: proj.LocalPaths,
		DevRequirements:  append(proj.DevRequirements, cfg.Test.Requirements...),
		Dockerfile:       proj.Dockerfile,
		Platforms:        platforms,
		TestCommand:      cfg.Test.Command,
		LintTool:         cfg.Lint.Tool,
		LintPaths:        cfg.Lint.Paths,
		Labels: pipeline.Labels{
			Source:   p.CI.ProjectURL,
			Revision: p.CI.SHA,
			Created:  p.CI.CommitTime,
		},
	}
	return p, nil
}

// resolveRelease reads the CI (or git), applies the flags and picks the
// version and environment.
func (p *plan) resolveRelease(env *Env, in resolveInputs) error {
	rel := p.Config.Release
	if in.Publish != nil && len(in.Publish.MovingTags) > 0 {
		rel.MovingTags = in.Publish.MovingTags // --also-tag replaces release.movingTags
	}
	policy, err := release.NewPolicy(rel)
	if err != nil {
		return usageError(err)
	}
	if in.Ref.Tag != "" {
		if err := policy.CheckTag(in.Ref.Tag); err != nil {
			return usageError(err)
		}
	}
	ci, detectErr := cictx.Detect(env.Getenv, p.Project.Dir)
	ci, err = ci.With(cictx.Overrides{Ref: in.Ref.Ref, SHA: in.Ref.SHA, Branch: in.Ref.Branch, Tag: in.Ref.Tag})
	if err != nil {
		return usageError(err)
	}
	p.CI = ci
	dec, err := policy.Decide(ci)
	if err != nil {
		if !in.publishing() && in.Ref.Env == "" {
			// Nothing needs a version: test, lint and pack still run.
			dec = release.Decision{Environment: "dev", Reason: "revision unknown"}
		} else if detectErr != nil {
			return usageError(detectErr)
		} else {
			return usageError(err)
		}
	}
	p.Release = dec
	p.EnvName, p.Env, err = release.ChooseEnvironment(dec, in.Ref.Env, p.Config, in.Ref.AllowProtected)
	if err != nil {
		return usageError(err)
	}
	return nil
}

// resolvePublish picks the repository, tags and credentials, and resolves the
// password now so that a missing secret fails before any work starts.
func (p *plan) resolvePublish(env *Env, po publishOptions) error {
	repo := po.Repository
	if po.Push {
		repo = p.Config.Image
		if repo == "" {
			repo = p.CI.RegistryImage
		}
		if repo == "" {
			return usagef("--push has no repository: set image: in %s or pass --publish REPOSITORY", config.FileName)
		}
	}
	if repo == "" {
		return nil
	}
	if err := pipeline.CheckRepository(repo); err != nil {
		return usageError(err)
	}
	if p.Release.Version == "" {
		return usagef("publish %s: no image tag: the revision is unknown (not a git checkout, no CI variables): pass --sha or --tag", repo)
	}
	pub := &publishPlan{Repository: repo, Tags: p.Release.Tags}

	user, pass := po.Username, po.Password
	if user == "" {
		user = p.Config.Registry.Username
	}
	if pass == "" {
		pass = p.Config.Registry.Password
	}
	if pass == "" && p.CI.RegistryPasswordEnv != "" && pipeline.RegistryHost(repo) == p.CI.Registry {
		pass = "env:" + p.CI.RegistryPasswordEnv
		if user == "" {
			user = p.CI.RegistryUser
		}
	}
	if user != "" {
		if strings.HasPrefix(user, "env:") || strings.HasPrefix(user, "file:") {
			v, err := resolveSecret(env, "registry username", user)
			if err != nil {
				return err
			}
			user = v
		}
	}
	if pass != "" {
		v, err := resolveSecret(env, "registry password", pass)
		if err != nil {
			return err
		}
		p.secrets["registry-password"] = v
		pub.PasswordRef = pass
		if user == "" {
			return usagef("registry password given without a user: pass --registry-username or set registry.username in %s", config.FileName)
		}
	}
	pub.Username = user
	p.Publish = pub
	return nil
}

// resolveSecret reads a secret reference; the error never holds the value.
func resolveSecret(env *Env, field, ref string) (string, error) {
	r, err := secretref.ParseFor(field, ref)
	if err != nil {
		return "", usageError(err)
	}
	v, err := r.Resolve(env.LookupEnv, env.ReadFile)
	if err != nil {
		return "", usageError(err)
	}
	return v, nil
}

// secret hands a resolved secret to the engine.
func (p *plan) secret(dag *dagger.Client, name string) *dagger.Secret {
	v, ok := p.secrets[name]
	if !ok {
		return nil
	}
	return dag.SetSecret(name, v)
}

// publishing reports whether a push was asked for.
func (in resolveInputs) publishing() bool {
	return in.Publish != nil && (in.Publish.Repository != "" || in.Publish.Push)
}

func needsImage(in resolveInputs) bool {
	if in.publishing() || (in.Deploy != nil && in.Deploy.wanted()) {
		return true
	}
	for _, s := range in.Stages {
		if s == pipeline.StagePack {
			return true
		}
	}
	return len(in.Stages) == 0
}

// runtimeImage: onepipe.yaml's runtime, else the Dockerfile's python base, else the default.
func runtimeImage(cfg config.Config, proj project.Project) string {
	switch {
	case cfg.Runtime != "":
		return cfg.Runtime
	case project.IsPythonImage(proj.BaseImage):
		return proj.BaseImage
	}
	return pipeline.DefaultRuntime
}

func parsePlatforms(flags, fromConfig []string) ([]dagger.Platform, error) {
	list := flags
	if len(list) == 0 {
		list = fromConfig
	}
	var out []dagger.Platform
	seen := map[string]bool{}
	for _, s := range list {
		s = strings.TrimSpace(s)
		parts := strings.Split(s, "/")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("platform %q: use os/arch such as linux/amd64 or linux/arm64", s)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, dagger.Platform(s))
		}
	}
	if len(out) == 0 {
		out = []dagger.Platform{pipeline.DefaultPlatform}
	}
	return out, nil
}

// Print writes the plan as aligned "key: value" lines.
func (p *plan) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	rel, _ := filepath.Rel(".", p.Project.Dir)
	if rel == "" || strings.HasPrefix(rel, "..") {
		rel = p.Project.Dir
	}
	row("app", fmt.Sprintf("%s (%s)", p.Config.App, rel))
	row("ci", p.CI.Describe())
	version := p.Release.Version
	if version == "" {
		version = "(none)"
	}
	row("version", fmt.Sprintf("%s — %s", version, p.Release.Reason))
	row("environment", fmt.Sprintf("%s (namespace %s)", p.EnvName, p.Env.Namespace))
	row("stages", strings.Join(p.stageLines(), ", "))
	row("runtime", p.Pipeline.Runtime)
	if p.Publish != nil {
		refs := make([]string, len(p.Publish.Tags))
		for i, t := range p.Publish.Tags {
			refs[i] = p.Publish.Repository + ":" + t
		}
		row("images", strings.Join(refs, ", "))
		auth := "anonymous"
		if p.Publish.PasswordRef != "" {
			auth = fmt.Sprintf("user %s, password from %s", p.Publish.Username, p.Publish.PasswordRef)
		}
		row("registry", fmt.Sprintf("%s (%s)", pipeline.RegistryHost(p.Publish.Repository), auth))
	}
	tw.Flush()
	if len(p.Targets) > 0 {
		fmt.Fprintln(w, "targets:")
		for _, t := range p.Targets {
			fmt.Fprintf(w, "  %s\n", t)
		}
	}
}

func (p *plan) stageLines() []string {
	stages := p.Stages
	if len(stages) == 0 {
		stages = []pipeline.Stage{pipeline.StageTest, pipeline.StageLint, pipeline.StagePack}
	}
	var out []string
	for _, s := range stages {
		switch s {
		case pipeline.StageLint:
			if p.AllowLintFailure {
				out = append(out, "lint (allowed to fail)")
				continue
			}
		case pipeline.StagePack:
			ps := make([]string, len(p.Pipeline.Platforms))
			for i, pl := range p.Pipeline.Platforms {
				ps[i] = string(pl)
			}
			out = append(out, "pack "+strings.Join(ps, "+"))
			continue
		}
		out = append(out, string(s))
	}
	if p.Kube != nil {
		out = append(out, "cluster (beside the checks)")
	}
	if p.Publish != nil {
		out = append(out, "publish")
	}
	if p.Kube != nil {
		out = append(out, "deploy")
	}
	return out
}
