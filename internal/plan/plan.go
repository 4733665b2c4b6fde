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
	"os"
	"path/filepath"
	"slices"
	"strings"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/cictx"
	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/imageref"
	"github.com/onepipe/onepipe/internal/project"
	"github.com/onepipe/onepipe/internal/release"
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
}

func (d *Deploy) wanted() bool {
	return d != nil && (d.Deploy || d.Cluster != "" || d.Kubeconfig != "")
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

// App is an app folder as onepipe sees it: what is in it, and onepipe.yaml
// with its defaults.
type App struct {
	Source  Source
	Project project.Project
	Config  config.Config
}

// Load inspects the app folder and reads its onepipe.yaml, checking every
// environment's cluster settings.
func Load(src Source, dockerfile string) (*App, error) {
	if src.Dir != "" {
		abs, err := filepath.Abs(src.Dir)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", src.Dir, err)
		}
		if src.Name == "" {
			src.Name = filepath.Base(abs)
		}
	}
	var (
		proj project.Project
		cfg  config.Config
		err  error
	)
	if src.Dir != "" {
		if proj, err = project.Inspect(src.Dir, dockerfile); err != nil {
			return nil, err
		}
		if cfg, err = config.Load(proj.Dir); err != nil {
			return nil, err
		}
		src.FS = os.DirFS(proj.Dir)
	} else {
		if proj, err = project.InspectFS(src.FS, dockerfile); err != nil {
			return nil, err
		}
		if cfg, err = configFrom(src.FS, src.Name); err != nil {
			return nil, err
		}
	}
	if err := pipeline.CheckClusters(cfg); err != nil {
		return nil, &config.Error{File: config.FileName, Err: err}
	}
	return &App{Source: src, Project: proj, Config: cfg}, nil
}

// configFrom reads onepipe.yaml from files, or gives the defaults when there
// is none; name names the app when the file does not. Like config.Load it
// refuses anything but a regular file before reading it.
func configFrom(files fs.FS, name string) (config.Config, error) {
	st, err := fs.Stat(files, config.FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return config.Config{}.WithDefaults(name), nil
	}
	if err == nil && !st.Mode().IsRegular() {
		err = errors.New("not a regular file: replace it with a YAML file, or remove it to use the defaults")
	}
	var data []byte
	if err == nil {
		data, err = fs.ReadFile(files, config.FileName)
	}
	if err != nil {
		return config.Config{}, &config.Error{File: config.FileName, Err: err}
	}
	c, err := config.Parse(data)
	if ce := (*config.Error)(nil); errors.As(err, &ce) && ce.File == "" {
		ce.File = config.FileName
		return config.Config{}, ce
	}
	if err != nil {
		return config.Config{}, &config.Error{File: config.FileName, Err: err}
	}
	return c.WithDefaults(name), nil
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
	// Provider names the cluster provider (local, existing, kops, aks).
	Provider string
	Cluster  pipeline.ClusterProvider
	Target   pipeline.Target
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
	if p.needsImage(in) {
		if err := proj.RequireDockerfile(in.Dockerfile); err != nil {
			return nil, err
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
	if in.Deploy.wanted() {
		if len(p.Stages) > 0 && !slices.Contains(p.Stages, pipeline.StagePack) {
			p.Stages = append(p.Stages, pipeline.StagePack) // the deploy needs the image
		}
		if err := p.resolveDeploy(env, *in.Deploy); err != nil {
			return nil, err
		}
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

// resolveRelease reads the CI (or git), applies the flags and picks the
// version and environment.
func (p *Plan) resolveRelease(env Environment, in Inputs) error {
	r := in.Ref
	if err := checkRefFlags(r); err != nil {
		return err
	}
	rel := p.App.Config.Release
	if in.Publish != nil && len(in.Publish.MovingTags) > 0 {
		rel.MovingTags = in.Publish.MovingTags // --also-tag replaces release.movingTags
	}
	policy, err := release.NewPolicy(rel)
	if err != nil {
		return err
	}
	if r.Tag != "" {
		if err := policy.CheckTag(r.Tag); err != nil {
			return err
		}
	}
	getenv := env.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	ci, detectErr := cictx.Detect(getenv, p.App.Source.Dir)
	if ci, err = ci.With(cictx.Overrides{Ref: r.Ref, SHA: r.SHA, Branch: r.Branch, Tag: r.Tag}); err != nil {
		return err
	}
	p.CI = ci
	dec, err := policy.Decide(ci)
	if err != nil {
		switch {
		case !in.publishing() && !in.Deploy.wanted() && r.Env == "":
			// nothing needs a version: test, lint and pack still run
			dec = release.Decision{Environment: "dev", Reason: "revision unknown"}
		case detectErr != nil:
			return detectErr
		default:
			return err
		}
	}
	p.Release = dec
	p.EnvName, p.Env, err = release.ChooseEnvironment(dec, r.Env, p.App.Config, r.AllowProtected)
	return err
}

// checkRefFlags refuses overrides that contradict each other.
func checkRefFlags(r Ref) error {
	var set []string
	for _, f := range []struct{ name, v string }{{"--tag", r.Tag}, {"--branch", r.Branch}, {"--ref", r.Ref}} {
		if f.v != "" {
			set = append(set, f.name)
		}
	}
	if len(set) > 1 {
		return fmt.Errorf("%s cannot be used together: give the ref being built once", strings.Join(set, " and "))
	}
	return nil
}

// resolvePublish picks the repository, tags and credentials, and resolves
// the password now so that a missing secret fails before any work starts.
func (p *Plan) resolvePublish(env Environment, po Publish) error {
	cfg := p.App.Config
	repo := po.Repository
	if po.Push {
		if repo = cfg.Image; repo == "" {
			repo = p.CI.RegistryImage
		}
		if repo == "" {
			return fmt.Errorf("--push has no repository: set image: in %s or pass --publish REPOSITORY", config.FileName)
		}
	}
	if err := pipeline.CheckRepository(repo); err != nil {
		return err
	}
	if p.Release.Version == "" {
		return fmt.Errorf("publish %s: no image tag: the revision is unknown (not a git checkout, no CI variables): pass --sha or --tag", repo)
	}
	pub := &PublishPlan{Repository: repo, Tags: p.Release.Tags}
	user, pass := po.Username, po.Password
	if user == "" {
		user = cfg.Registry.Username
	}
	if pass == "" {
		pass = cfg.Registry.Password
	}
	if pass == "" && p.CI.RegistryPasswordEnv != "" && imageref.RegistryHost(repo) == p.CI.Registry {
		pass = "env:" + p.CI.RegistryPasswordEnv
		if user == "" {
			user = p.CI.RegistryUser
		}
	}
	if strings.HasPrefix(user, "env:") || strings.HasPrefix(user, "file:") {
		v, err := env.Secrets.Lookup("registry username", user)
		if err != nil {
			return err
		}
		user = v
	}
	if pass != "" {
		v, err := env.Secrets.Lookup("registry password", pass)
		if err != nil {
			return err
		}
		if user == "" {
			return fmt.Errorf("registry password given without a user: pass --registry-username or set registry.username in %s", config.FileName)
		}
		p.secrets[pipeline.SecretRegistryPassword] = v
		pub.PasswordRef = pass
	}
	pub.Username = user
	p.Publish = pub
	return nil
}

// resolveDeploy makes the cluster provider and the deploy target: the
// manifests are rendered, the secrets resolved, so that a broken manifest, a
// missing secret or an impossible target fails before any work starts.
func (p *Plan) resolveDeploy(env Environment, d Deploy) error {
	cl, err := clusterWithFlags(p.Env.Cluster, d)
	if err != nil {
		return err
	}
	if p.Release.Version == "" {
		return errors.New("deploy needs a version for the image: the revision is unknown (not a git checkout, no CI variables): pass --sha or --tag")
	}
	var target pipeline.Target
	cluster, err := pipeline.NewClusterProvider(pipeline.ClusterInput{
		Env: p.EnvName, Cluster: cl, Azure: p.App.Config.Azure, Secret: env.Secrets.Lookup,
		Images:    func() ([]string, string) { return pipeline.ReleaseImages(target) },
		APIServer: d.APIServer,
	})
	if err != nil {
		return err
	}
	provider := cl.ProviderName()
	image := pipeline.LocalImageRef(p.App.Config.App, p.Release.Version)
	switch {
	case p.Publish != nil:
		image = p.Publish.Repository + ":" + p.Publish.Tags[0]
	case cluster.PullsImages():
		return fmt.Errorf("deploy to the %s cluster needs a pushed image: add --publish REPOSITORY or --push", provider)
	}
	target, err = pipeline.NewTarget(pipeline.TargetInput{
		Config: p.App.Config, Env: p.EnvName, Files: p.App.Source.FS,
		Image: image, Version: p.Release.Version, Secret: env.Secrets.Lookup,
	})
	if err != nil {
		return err
	}
	p.Deploy = &DeployPlan{Provider: provider, Cluster: cluster, Target: target}
	return nil
}

// clusterWithFlags is the environment's cluster with --cluster and
// --kubeconfig applied: --cluster picks the provider, --kubeconfig alone
// means existing.
func clusterWithFlags(cl config.Cluster, d Deploy) (config.Cluster, error) {
	if d.Cluster != "" && !slices.Contains(pipeline.ClusterProviders(), d.Cluster) {
		return cl, fmt.Errorf("--cluster %q: use %s", d.Cluster, pipeline.OrList(pipeline.ClusterProviders()))
	}
	if d.Kubeconfig != "" && d.Cluster != "" && d.Cluster != config.ProviderExisting {
		return cl, fmt.Errorf("--kubeconfig reaches an existing cluster: it cannot be used with --cluster %s (drop one of them)", d.Cluster)
	}
	switch {
	case d.Cluster != "":
		cl.Provider = d.Cluster
	case d.Kubeconfig != "":
		cl.Provider = config.ProviderExisting
	}
	if d.Kubeconfig != "" {
		cl.Kubeconfig = d.Kubeconfig
	}
	return cl, nil
}

// Cluster is the cluster provider of an environment, for commands that reach
// a cluster without a run (onepipe kubectl).
func (a *App) Cluster(envName string, d Deploy, env Environment) (pipeline.ClusterProvider, error) {
	e, err := a.Config.Environment(envName)
	if err != nil {
		return nil, err
	}
	cl, err := clusterWithFlags(e.Cluster, d)
	if err != nil {
		return nil, err
	}
	return pipeline.NewClusterProvider(pipeline.ClusterInput{Env: envName, Cluster: cl, Azure: a.Config.Azure, Secret: env.Secrets.Lookup, APIServer: d.APIServer})
}

// NewPipeline is the app's pipeline on dag, over source (the app folder in
// the engine).
func (p *Plan) NewPipeline(dag *dagger.Client, source *dagger.Directory) *pipeline.Pipeline {
	return pipeline.New(dag, source, p.Pipeline)
}

// Flow is what the run does on dag; log receives the cluster and deploy
// steps.
func (p *Plan) Flow(dag *dagger.Client) pipeline.Flow {
	f := pipeline.Flow{
		Stages:           p.Stages,
		AllowLintFailure: p.AllowLintFailure,
		ExportImage:      p.ExportImage,
	}
	if p.Publish != nil {
		reg := pipeline.Registry{Repository: p.Publish.Repository, Username: p.Publish.Username}
		if v, ok := p.secrets[pipeline.SecretRegistryPassword]; ok {
			reg.Password = pipeline.NewSecret(dag, pipeline.SecretRegistryPassword, p.Publish.Repository, v)
		}
		f.Publish = &pipeline.PublishStep{Registry: reg, Tags: p.Publish.Tags}
	}
	if p.Deploy != nil {
		f.Deploy = &pipeline.Deployment{Cluster: p.Deploy.Cluster, Target: p.Deploy.Target}
	}
	return f
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
	return pipeline.DefaultRuntime
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
