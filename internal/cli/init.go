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
	"github.com/onepipe/onepipe/internal/shim"
)

type initOptions struct {
	source   string
	force    bool
	publish  string
	branches []string
	command  string
}

func newInitCommand(env *Env) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init gitlab|azure|github [flags]",
		Short: "Write the CI file that runs onepipe: .gitlab-ci.yml, azure-pipelines.yml or a GitHub Actions workflow",
		Long: `Write the CI file that hands a GitLab, Azure DevOps or GitHub Actions pipeline
over to onepipe, into the app's folder (--source, the repository root):

  gitlab  .gitlab-ci.yml: one job on a docker:dind Dagger engine, JUnit reports
          in merge requests, the image pushed to the project's registry
  azure   azure-pipelines.yml: one onepipe step, then PublishTestResults@2
  github  .github/workflows/onepipe.yml: one onepipe step, reports kept as an artifact

The job's script is a single onepipe line, the same command as on a laptop.
Registry credentials come from the CI's secret variables REGISTRY_USERNAME and
REGISTRY_PASSWORD (GitLab's own registry needs none) and never appear on a
command line. An existing file is left alone unless --force is given.

The folder must be a Python project (requirements.txt or pyproject.toml) with a
Dockerfile for the image the job builds; init writes nothing when it is not.
Tags starting with v run the pipeline on every CI: onepipe tells a release
(v1.2.3) from a pre-release (v1.2.3-rc.1) itself.`,
		Example: `  onepipe init gitlab
  onepipe init azure --source examples/tornado --publish acme.azurecr.io/tornado
  onepipe init github --branches main,develop --command /usr/local/bin/onepipe --force`,
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
			path, err := writeShim(kind, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Out, "wrote %s\n%s\n", path, nextStep(kind, o.publish != ""))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.source, "source", "s", ".", "folder of the app (the repository root) to write the CI file into")
	f.BoolVar(&o.force, "force", false, "overwrite the CI file if it exists")
	f.StringVar(&o.publish, "publish", "", "push the image to this repository, e.g. acme.azurecr.io/shop (default: GitLab's own registry on GitLab, no push elsewhere)")
	f.StringSliceVar(&o.branches, "branches", nil, "branches whose pushes run the pipeline, comma-separated (default main); tags starting with v always do")
	f.StringVar(&o.command, "command", "", "how the job runs onepipe, e.g. /usr/local/bin/onepipe (default: go run "+shim.Module+"@VERSION)")
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
func writeShim(kind shim.Kind, o *initOptions) (string, error) {
	st, err := os.Stat(o.source)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", usagef("source folder %s does not exist: pass --source with the app's folder", o.source)
	case err != nil:
		return "", fmt.Errorf("source %s: %w", o.source, err)
	case !st.IsDir():
		return "", usagef("source %s is a file, not a folder: pass --source with the app's folder", o.source)
	}
	abs, err := filepath.Abs(o.source)
	if err != nil {
		return "", fmt.Errorf("source %s: %w", o.source, err)
	}
	data := shim.Data{
		App:        appName(filepath.Base(abs)),
		Repository: o.publish,
		Branches:   o.branches,
		Version:    shimVersion(version()),
		Command:    o.command,
	}
	content, err := shim.Render(kind, data)
	if err != nil {
		return "", usageError(err)
	}
	if err := checkApp(kind, data, o.source); err != nil {
		return "", usageError(err)
	}
	path := filepath.Join(o.source, filepath.FromSlash(shim.FileName(kind)))
	if _, err := os.Stat(path); err == nil && !o.force {
		return "", usagef("%s already exists: pass --force to overwrite it", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("init %s: %w", kind, err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		return "", fmt.Errorf("init %s: %w", kind, err)
	}
	return path, nil
}

// checkApp refuses a shim whose job could not work for the app in dir. The
// job runs `onepipe run --source dir`, which needs a Python project, and
// builds an image from the Dockerfile whenever it pushes (on GitLab always)
// and also when it does not, unless onepipe.yaml deploys a Function App zip:
// the same rule as resolve's.
func checkApp(kind shim.Kind, data shim.Data, dir string) error {
	proj, err := project.Inspect(dir, "")
	if err != nil {
		return err
	}
	if proj.Dockerfile != "" {
		return nil
	}
	dockerfile := filepath.Join(dir, "Dockerfile")
	if shim.Pushes(kind, data) {
		return fmt.Errorf("%s not found: the %s job pushes the app's image, built from a Dockerfile: add one to %s", dockerfile, kind, dir)
	}
	cfg, err := config.Load(dir)
	if err != nil {
		return err
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

var releaseVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)

// shimVersion is the onepipe version a shim pins: this binary's own when it is
// a release, latest for development builds (which no proxy can serve).
func shimVersion(v string) string {
	if releaseVersion.MatchString(v) {
		return v
	}
	return "latest"
}

// nextStep is the one thing left to do after writing the shim.
func nextStep(kind shim.Kind, ownRegistry bool) string {
	secrets := fmt.Sprintf("%s and %s", shim.UsernameVar, shim.PasswordVar)
	switch {
	case kind == shim.GitLab && ownRegistry:
		return "next: define the masked CI/CD variables " + secrets + ", then commit the file"
	case kind == shim.GitLab:
		return "next: commit the file; the job pushes to the project's registry ($CI_REGISTRY_IMAGE)"
	case kind == shim.Azure && ownRegistry:
		return "next: create a pipeline from the file and define the secret variables " + secrets
	case kind == shim.Azure:
		return "next: create a pipeline from the file (pass --publish to push the image too)"
	case ownRegistry:
		return "next: define the repository secrets " + secrets + ", then commit the file"
	}
	return "next: commit the file (pass --publish to push the image too)"
}
