package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/project"
	"github.com/onepipe/onepipe/internal/release"
	"github.com/onepipe/onepipe/internal/shim"
	"github.com/onepipe/onepipe/pipeline"
)

type initOptions struct {
	source     string
	force      bool
	publish    string
	branches   []string
	command    string
	version    string
	engine     string
	changes    []string
	manualProd bool
	noDeploy   bool
	noReview   bool
}

func newInitCommand(env *Env) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init gitlab|azure|github [flags]",
		Short: "Write the CI file that runs onepipe: .gitlab-ci.yml, azure-pipelines.yml or a GitHub Actions workflow",
		Long: `Write the CI file that hands a GitLab, Azure DevOps or GitHub Actions pipeline
over to onepipe, into the app's folder (--source, the repository root):

  gitlab  .gitlab-ci.yml: stages test, publish and deploy with environments (dev
          from the default branch, prod from release tags, pre-releases to
          release.preReleaseEnvironment) and a review environment per merge
          request whose stop job runs onepipe down
  azure   azure-pipelines.yml: stages, deployment jobs with environments
  github  .github/workflows/onepipe.yml: jobs with environments

Each job's script is a single onepipe line, the same command as on a laptop.
The jobs run the onepipe release that wrote the file (--version), built once
per pipeline with go install and checked against Go's checksum database; the
dagger CLI comes out of the pinned Dagger engine image. Nothing runs @latest
and no installer script is piped to a shell.

Registry credentials come from the CI's secret variables REGISTRY_USERNAME and
REGISTRY_PASSWORD (GitLab's own registry needs none), the clusters' kubeconfig
from KUBECONFIG_DATA; they never appear on a command line. On Azure DevOps and
GitHub Actions the pipeline deploys only what it pushes (--publish). An
existing file is left alone unless --force is given.

The folder must be a Python project (requirements.txt or pyproject.toml) with a
Dockerfile for the image the jobs build; init writes nothing when it is not.
Tags starting with v run the pipeline on every CI: onepipe tells a release
(v1.2.3) from a pre-release (v1.2.3-rc.1) itself.`,
		Example: `  onepipe init gitlab
  onepipe init gitlab --changes 'src/**,requirements*.txt' --manual-prod
  onepipe init gitlab --engine 'kube-pod://dagger-engine-0?namespace=dagger&container=dagger-engine'
  onepipe init azure --source examples/tornado --publish acme.azurecr.io/tornado
  onepipe init github --publish ghcr.io/acme/shop --branches main,develop --version v1.2.3 --force`,
		ValidArgs: kindNames(),
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("init needs one CI to write for: onepipe init %s", strings.Join(kindNames(), "|"))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			kind, err := shim.ParseKind(args[0])
			if err != nil {
				return usageError(err)
			}
			path, data, err := writeShim(kind, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Out, "wrote %s\n%s\n", path, nextStep(kind, data))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.source, "source", "s", ".", "folder of the app (the repository root) to write the CI file into")
	f.BoolVar(&o.force, "force", false, "overwrite the CI file if it exists")
	f.StringVar(&o.publish, "publish", "", "push the image to this repository, e.g. acme.azurecr.io/shop (default: GitLab's own registry on GitLab, no push elsewhere)")
	f.StringSliceVar(&o.branches, "branches", nil, "branches whose pushes run the pipeline, comma-separated (default main); tags starting with v always do")
	f.StringVar(&o.version, "version", "", "the onepipe release the jobs build and run, e.g. v1.2.3 (default: this onepipe's own; a development build writes "+shim.UnsetVersion+" for you to set)")
	f.StringVar(&o.command, "command", "", "how the jobs run onepipe instead of building it, e.g. /usr/local/bin/onepipe on your runner's image")
	f.StringVar(&o.engine, "engine", "", "use this long-lived Dagger engine instead of starting one per job, e.g. kube-pod://dagger-engine-0?namespace=dagger&container=dagger-engine (onepipe engine manifests)")
	f.StringSliceVar(&o.changes, "changes", nil, "GitLab: run branch and merge request pipelines only when these paths change, comma-separated globs, e.g. 'src/**,requirements*.txt'")
	f.BoolVar(&o.manualProd, "manual-prod", false, "GitLab: the prod deploy of a release waits for someone to start it (when: manual)")
	f.BoolVar(&o.noDeploy, "no-deploy", false, "write no deploy jobs: the pipeline ends with publish")
	f.BoolVar(&o.noReview, "no-review", false, "GitLab: no review environment per merge request")
	return cmd
}

func kindNames() []string {
	var names []string
	for _, k := range shim.Kinds() {
		names = append(names, string(k))
	}
	return names
}

// writeShim renders the shim for the app in o.source and writes it there.
func writeShim(kind shim.Kind, o *initOptions) (string, shim.Data, error) {
	st, err := os.Stat(o.source)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", shim.Data{}, usagef("source folder %s does not exist: pass --source with the app's folder", o.source)
	case err != nil:
		return "", shim.Data{}, fmt.Errorf("source %s: %w", o.source, err)
	case !st.IsDir():
		return "", shim.Data{}, usagef("source %s is a file, not a folder: pass --source with the app's folder", o.source)
	}
	abs, err := filepath.Abs(o.source)
	if err != nil {
		return "", shim.Data{}, fmt.Errorf("source %s: %w", o.source, err)
	}
	if kind != shim.GitLab {
		for flag, set := range map[string]bool{"--changes": len(o.changes) > 0, "--manual-prod": o.manualProd, "--no-review": o.noReview} {
			if set {
				return "", shim.Data{}, usagef("%s is for GitLab: the %s shim has no such setting (see onepipe init --help)", flag, kind)
			}
		}
	}
	pin := o.version
	if pin == "" {
		pin = shimVersion(version())
	}
	data := shim.Data{
		App:        appName(filepath.Base(abs)),
		Repository: o.publish,
		Branches:   o.branches,
		Version:    pin,
		Command:    o.command,
		Engine:     o.engine,
		Changes:    o.changes,
		ManualProd: o.manualProd,
		NoDeploy:   o.noDeploy,
		NoReview:   o.noReview,
	}
	if err := data.Validate(); err != nil {
		return "", data, usageError(err)
	}
	if err := checkApp(kind, &data, o.source); err != nil {
		return "", data, usageError(err)
	}
	content, err := shim.Render(kind, data)
	if err != nil {
		return "", data, usageError(err)
	}
	path := filepath.Join(o.source, filepath.FromSlash(shim.FileName(kind)))
	if _, err := os.Stat(path); err == nil && !o.force {
		return "", data, usagef("%s already exists: pass --force to overwrite it", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", data, fmt.Errorf("init %s: %w", kind, err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		return "", data, fmt.Errorf("init %s: %w", kind, err)
	}
	return path, data, nil
}

// checkApp refuses a shim whose jobs could not work for the app in dir, and
// fills in what onepipe.yaml says about the deploys: the pre-release
// environment and the environments without a cluster. The jobs run `onepipe
// run --source dir`, which needs a Python project, and build an image from
// the Dockerfile whenever they push (on GitLab always) and also when they do
// not, unless onepipe.yaml deploys a Function App zip: the same rule as
// resolve's.
func checkApp(kind shim.Kind, data *shim.Data, dir string) error {
	proj, err := project.Inspect(dir, "")
	if err != nil {
		return err
	}
	cfg, err := config.Load(dir)
	if err != nil {
		return err
	}
	if err := release.CheckPreReleaseEnvironment(cfg); err != nil {
		return err
	}
	data.PreReleaseEnv = cfg.Release.PreReleaseEnvironment
	for _, env := range []string{"dev", "prod", data.PreReleaseEnv} {
		if env != "" && !pipeline.TargetUsesCluster(cfg, env) {
			data.NoCluster = append(data.NoCluster, env)
		}
	}
	if proj.Dockerfile != "" {
		return nil
	}
	dockerfile := filepath.Join(dir, "Dockerfile")
	if shim.Pushes(kind, *data) {
		return fmt.Errorf("%s not found: the %s job pushes the app's image, built from a Dockerfile: add one to %s", dockerfile, kind, dir)
	}
	if cfg.Azure.FunctionZip.App != "" {
		return nil
	}
	return fmt.Errorf("%s not found: the %s job builds the app's image from a Dockerfile: add one to %s (or set azure.functionZip in %s to deploy a zip)", dockerfile, kind, dir, config.FileName)
}

var notAppChar = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// appName turns a folder name into a name the shims accept.
func appName(dir string) string {
	name := strings.Trim(notAppChar.ReplaceAllString(dir, "-"), "-._")
	if len(name) > 63 {
		name = name[:63]
	}
	if name == "" {
		return "app"
	}
	return name
}

// shimVersion is the onepipe version a shim pins: this binary's own when it
// is a module version go install can fetch (a release, a pre-release, a
// pseudo-version), else shim.UnsetVersion: a development build knows no
// release, and "latest" is no pin.
func shimVersion(v string) string {
	if shim.IsModuleVersion(v) {
		return v
	}
	return shim.UnsetVersion
}

// nextStep is what is left to do after writing the shim, in one line.
func nextStep(kind shim.Kind, d shim.Data) string {
	var todo []string
	if d.Version == "" || d.Version == shim.UnsetVersion {
		todo = append(todo, "set ONEPIPE_VERSION in the file to the onepipe release to run (this onepipe is a development build)")
	}
	var secrets []string
	if d.Repository != "" {
		secrets = append(secrets, shim.UsernameVar, shim.PasswordVar)
	}
	if shim.Deploys(kind, d) {
		secrets = append(secrets, shim.KubeconfigVar+" (per environment)")
	}
	if len(secrets) > 0 {
		what := map[shim.Kind]string{shim.GitLab: "masked CI/CD variables", shim.Azure: "secret variables", shim.GitHub: "secrets"}[kind]
		todo = append(todo, "define the "+what+" "+strings.Join(secrets, ", "))
	}
	switch {
	case kind == shim.Azure:
		todo = append(todo, "create a pipeline from the file")
	default:
		todo = append(todo, "commit the file")
	}
	if kind == shim.GitLab && d.Repository == "" {
		todo = append(todo, "the jobs push to the project's registry ($CI_REGISTRY_IMAGE)")
	}
	if kind != shim.GitLab && d.Repository == "" {
		todo = append(todo, "pass --publish to push the image and deploy it too")
	}
	return "next: " + strings.Join(todo, "; ")
}
