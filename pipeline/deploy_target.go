package pipeline

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/kube"
	"github.com/onepipe/onepipe/internal/manifest"
)

// Target is one environment's Kubernetes deploy as onepipe.yaml describes
// it: the values the manifests are rendered with, the app's secrets and the
// deploy settings.
type Target struct {
	// Deploy is the deploy section, defaults applied.
	Deploy config.Deploy
	// Values are what the manifest templates see; Values.Image is the image
	// the manifests name.
	Values manifest.Values
	// Timeout bounds each wait of the deploy.
	Timeout time.Duration

	files   fs.FS
	secrets map[string]string // by variable name; never printed
}

// TargetInput is what a Target is made from.
type TargetInput struct {
	// Config is onepipe.yaml, defaults applied.
	Config config.Config
	// Env names the environment (dev, prod ...).
	Env string
	// Files is the app folder: the manifests are read from Config.Deploy.Manifests in it.
	Files fs.FS
	// Image is the reference the manifests name; Version its tag.
	Image, Version string
	// Secrets are the environment's secret values by variable name.
	Secrets map[string]string
}

// NewTarget checks the environment and renders its manifests once, so that
// a broken template or YAML fails (with file and line) before any work.
func NewTarget(in TargetInput) (*Target, kube.Plan, error) {
	e, ok := in.Config.Environments[in.Env]
	if !ok {
		return nil, kube.Plan{}, fmt.Errorf("unknown environment %q: use one of %v", in.Env, in.Config.EnvironmentNames())
	}
	d := in.Config.Deploy.WithDefaults()
	timeout, err := d.TimeoutDuration()
	if err != nil {
		return nil, kube.Plan{}, err
	}
	for _, name := range slices.Sorted(maps.Keys(e.Secrets)) {
		if _, ok := in.Secrets[name]; !ok {
			return nil, kube.Plan{}, fmt.Errorf("environments.%s.secrets.%s: no value given", in.Env, name)
		}
	}
	t := &Target{
		Deploy:  d,
		Timeout: timeout,
		files:   in.Files,
		secrets: in.Secrets,
		Values: manifest.Values{
			App:         in.Config.App,
			Environment: in.Env,
			Namespace:   e.Namespace,
			Image:       in.Image,
			Version:     in.Version,
			Replicas:    e.Replicas,
			Host:        e.Host,
			Port:        d.Port,
			Vars:        e.Vars,
			SecretNames: slices.Sorted(maps.Keys(in.Secrets)),
			Migration:   d.Migration,
			Labels:      manifest.StandardLabels(in.Config.App, in.Env, in.Version),
		},
	}
	plan, err := t.Plan()
	return t, plan, err
}

// Plan renders the manifests with the target's values and plans the deploy.
func (t *Target) Plan() (kube.Plan, error) {
	if _, err := fs.Stat(t.files, t.Deploy.Manifests); err != nil {
		return kube.Plan{}, fmt.Errorf("deploy manifests %s: not found: put the app's Kubernetes manifests there or set deploy.manifests in %s", t.Deploy.Manifests, config.FileName)
	}
	objs, err := manifest.Render(t.files, t.Deploy.Manifests, t.Values)
	if err != nil {
		return kube.Plan{}, err
	}
	if err := manifest.Check(objs, t.Values); err != nil {
		return kube.Plan{}, err
	}
	secretName := ""
	if len(t.secrets) > 0 {
		secretName = t.Values.SecretObjectName()
	}
	return kube.NewPlan(kube.Input{
		Namespace:  t.Values.Namespace,
		Objects:    objs,
		SecretName: secretName,
		Smoke:      len(t.Deploy.Smoke) > 0,
		Timeout:    t.Timeout,
	})
}

// Release is everything Deploy needs to run plan on cl: the app's Secret as
// a *dagger.Secret and, on a simulated cluster with smoke checks, the app
// started as a service from pl's image.
func (t *Target) Release(dag *dagger.Client, pl *Pipeline, cl *Cluster, plan kube.Plan, log io.Writer) (Release, error) {
	rel := Release{Plan: plan, Smoke: t.Deploy.Smoke, SmokeTimeout: t.Timeout, Host: t.Values.Host, Port: t.Deploy.Port, Log: log}
	secrets := map[string]*dagger.Secret{}
	if len(t.secrets) > 0 {
		for name, v := range t.secrets {
			secrets[name] = dag.SetSecret("onepipe-"+t.Values.Environment+"-"+name, v)
		}
		m, err := kube.SecretManifest(t.Values.Namespace, t.Values.SecretObjectName(), t.Values.Labels, t.secrets)
		if err != nil {
			return rel, err
		}
		rel.Secret = dag.SetSecret("onepipe-"+t.Values.Environment+"-app-secret", string(m))
	}
	if cl.Simulated && len(t.Deploy.Smoke) > 0 {
		vars := map[string]string{}
		maps.Copy(vars, t.Values.Vars)
		maps.Copy(vars, t.Deploy.SmokeEnv)
		rel.SmokeApp = pl.SmokeApp(SmokeEnv{Port: t.Deploy.Port, Vars: vars, Secrets: secrets, Migration: t.Deploy.Migration},
			strconv.FormatInt(time.Now().UnixNano(), 36))
	}
	return rel, nil
}

// engineFiles reads files of an engine directory into memory, for a Target
// made where the app folder is not on this machine (the Dagger module).
type engineFiles struct {
	src   *dagger.Directory
	files fstest.MapFS
}

func (e engineFiles) read(ctx context.Context, name string) error {
	data, err := e.src.File(name).Contents(ctx)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, Explain(err))
	}
	e.files[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	return nil
}

// readIfExists reads name when the directory has it.
func (e engineFiles) readIfExists(ctx context.Context, name string) error {
	if ok, _ := e.src.Exists(ctx, name); !ok {
		return nil
	}
	return e.read(ctx, name)
}

// readManifests reads the .yaml and .yml files of dir (not its subfolders,
// as manifest.Files); a missing dir reads nothing.
func (e engineFiles) readManifests(ctx context.Context, dir string) error {
	if ok, _ := e.src.Exists(ctx, dir); !ok {
		return nil
	}
	names, err := e.src.Directory(dir).Entries(ctx)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, Explain(err))
	}
	for _, n := range names {
		if ext := path.Ext(n); ext != ".yaml" && ext != ".yml" {
			continue // subfolders end in "/"
		}
		if err := e.read(ctx, path.Join(dir, n)); err != nil {
			return err
		}
	}
	return nil
}

// ConfigFrom reads onepipe.yaml from files, or gives the defaults when there
// is none; dirName names the app when the file does not.
func ConfigFrom(files fs.FS, dirName string) (config.Config, error) {
	data, err := fs.ReadFile(files, config.FileName)
	if err != nil {
		return config.Config{}.WithDefaults(dirName), nil
	}
	c, err := config.Parse(data)
	if err != nil {
		return config.Config{}, &config.Error{File: config.FileName, Err: err}
	}
	return c.WithDefaults(dirName), nil
}

// ParseDotenv reads NAME=value lines (blank lines and # comments skipped),
// the form the Dagger module takes an environment's secrets in. Errors name
// the line, never a value.
func ParseDotenv(data string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		name = strings.TrimSpace(name)
		if !ok || !envName.MatchString(name) {
			return nil, fmt.Errorf("secrets line %d: write NAME=value", i+1)
		}
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		out[name] = value
	}
	return out, nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// DeployToLocalCluster deploys the app to the local cluster clusterName
// ("" for the default) the way `onepipe run --env env --cluster local`
// does, with the image tagged version, and returns what the deploy left.
func (p *Pipeline) DeployToLocalCluster(ctx context.Context, env, version, clusterName string, secrets map[string]string, log io.Writer) (Deployed, error) {
	src := engineFiles{src: p.source, files: fstest.MapFS{}}
	if err := src.readIfExists(ctx, config.FileName); err != nil {
		return Deployed{}, err
	}
	cfg, err := ConfigFrom(src.files, p.opts.App)
	if err != nil {
		return Deployed{}, err
	}
	if err := src.readManifests(ctx, cfg.Deploy.WithDefaults().Manifests); err != nil {
		return Deployed{}, err
	}
	if clusterName == "" {
		clusterName = cfg.Environments[env].Cluster.Name
	}
	t, plan, err := NewTarget(TargetInput{Config: cfg, Env: env, Files: src.files,
		Image: "onepipe.local/" + cfg.App + ":" + version, Version: version, Secrets: secrets})
	if err != nil {
		return Deployed{}, err
	}
	lc := NewLocalCluster(p.dag, clusterName)
	if cfg.Environments[env].Cluster.LocalNode == config.LocalNodeReal {
		lc = lc.WithRealNode(p.NodeImages(plan.Images, t.Values.Image)...)
	}
	cl, err := lc.Ensure(ctx)
	if err != nil {
		return Deployed{}, err
	}
	rel, err := t.Release(p.dag, p, cl, plan, log)
	if err != nil {
		return Deployed{}, err
	}
	return Deploy(ctx, p.dag, cl, rel)
}

// NodeImages are the images a real local node gets for refs: app (the
// reference the manifests give the app's image) from this pipeline's pack,
// the others pulled by the engine.
func (p *Pipeline) NodeImages(refs []string, app string) []NodeImage {
	var out []NodeImage
	for _, ref := range refs {
		img := p.dag.Container().From(ref)
		if ref == app {
			img = p.Image(p.opts.Platforms[0])
		}
		out = append(out, NodeImage{Ref: ref, Tarball: img.AsTarball()})
	}
	return out
}
