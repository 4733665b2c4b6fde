// Package shim renders the CI files that hand a GitLab, Azure DevOps or
// GitHub Actions pipeline over to onepipe: stages for test (test, lint and
// pack side by side), publish and deploy (dev from the default branch, prod
// from release tags, pre-releases to their environment, on GitLab a review
// environment per merge request with a stop job), each job's script a
// single onepipe line, with the engine, the credentials (secret references,
// never values) and the JUnit reports wired the way each CI expects.
//
// The jobs run the onepipe release that wrote the shim, built once per
// pipeline by `go install` (checked against Go's checksum database) and
// handed to the later jobs; the dagger CLI comes out of the pinned engine
// image. The templates' headers say why, and what is and is not verified.
//
// Every shim comes from one embedded template per CI, so `onepipe init` and
// the committed examples can never drift apart.
package shim

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/onepipe/onepipe/internal/imageref"
	"github.com/onepipe/onepipe/internal/versions"
)

// Kind names a CI system.
type Kind string

// The CI systems onepipe writes shims for.
const (
	GitLab Kind = "gitlab"
	Azure  Kind = "azure"
	GitHub Kind = "github"
)

// Kinds lists every CI system, in the order help texts show them.
func Kinds() []Kind { return []Kind{GitLab, Azure, GitHub} }

// ParseKind reads a CI name as typed by a user (gitlab, azure, github).
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Kinds() {
		if k == known {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown CI %q: use gitlab, azure or github", s)
}

// FileName is where the shim lives, relative to the repository root, with
// forward slashes: .gitlab-ci.yml, azure-pipelines.yml, .github/workflows/onepipe.yml.
func FileName(k Kind) string {
	switch k {
	case GitLab:
		return ".gitlab-ci.yml"
	case Azure:
		return "azure-pipelines.yml"
	case GitHub:
		return ".github/workflows/onepipe.yml"
	}
	return ""
}

// Defaults used for every empty Data field, and the names the shims share.
const (
	// Module is the Go package the build job installs onepipe from, at Data.Version.
	Module = "github.com/onepipe/onepipe/cmd/onepipe"
	// Built is where the build job leaves onepipe, relative to the checkout,
	// and what the later jobs run unless Data.Command says otherwise.
	Built = ".onepipe/bin/onepipe"
	// UnsetVersion is the version a development build of onepipe writes: it
	// knows no release to pin, so the build job stops with one line until
	// ONEPIPE_VERSION in the shim names one (or init is run with --version).
	UnsetVersion = "UNSET"
	// OutDir is where the jobs ask onepipe to write its reports (JUnit XML,
	// lint findings), relative to the repository root.
	OutDir = ".onepipe/out"
	// UsernameVar and PasswordVar are the CI secret variables the shims read
	// registry credentials from when publishing to a registry of your own.
	UsernameVar = "REGISTRY_USERNAME"
	PasswordVar = "REGISTRY_PASSWORD"
	// KubeconfigVar is the CI secret variable holding the kubeconfig of the
	// cluster the deploy jobs reach (scoped per environment where the CI can).
	KubeconfigVar = "KUBECONFIG_DATA"
	// ReviewEnv is the environment whose settings GitLab's review
	// environments deploy (each in a namespace of its own).
	ReviewEnv = "dev"
)

// Data is what a shim says about one app. Zero fields take the defaults above.
type Data struct {
	// App names the app in comments, job titles and test run titles (default app).
	App string
	// Source is the app's folder relative to the repository root (default ".").
	Source string
	// Repository is the image repository to push to, e.g. acme.azurecr.io/shop,
	// logged in with the REGISTRY_USERNAME / REGISTRY_PASSWORD secret variables.
	// Empty pushes to GitLab's own registry on GitLab (--push) and pushes nothing
	// on Azure DevOps and GitHub Actions (which then deploy nothing either:
	// a cluster pulls the images it runs).
	Repository string
	// Branches are the branches whose pushes run the pipeline (default main);
	// dev deploys from the default branch (Azure DevOps, which names none:
	// the first of Branches).
	// Tags starting with v always run it, on every CI alike (GitLab:
	// $CI_COMMIT_TAG =~ /^v/, Azure DevOps: v*, GitHub Actions: v**), and
	// onepipe decides from the tag whether it is a release (v1.2.3: prod,
	// moving tags) or a pre-release (v1.2.3-rc.1: PreReleaseEnv, its own tag
	// only).
	Branches []string
	// Version is the onepipe release the pipeline builds and runs: a Go
	// module version of github.com/onepipe/onepipe such as v1.2.3 (default
	// UnsetVersion, which the build job refuses).
	Version string
	// Command is how the jobs run onepipe instead of building it, e.g. the
	// path of a binary on the runner's image; the shim then has no build job.
	Command string
	// Engine is the runner host of a long-lived Dagger engine, e.g.
	// kube-pod://dagger-engine-0?namespace=dagger&container=dagger-engine
	// (onepipe engine manifests) or tcp://dagger-engine:1234: the jobs use
	// it instead of starting an engine in Docker (GitLab: no docker:dind).
	Engine string
	// Changes are path filters (GitLab rules:changes, e.g. src/**): branch
	// and merge request pipelines run only when a matching file changed;
	// release tags always run.
	Changes []string
	// ManualProd makes the prod deploy wait for someone to start it (GitLab
	// when: manual; Azure DevOps and GitHub Actions gate an environment in
	// its settings instead, which the header says).
	ManualProd bool
	// PreReleaseEnv is the environment pre-release tags deploy to: what
	// release.preReleaseEnvironment in onepipe.yaml says (default dev).
	PreReleaseEnv string
	// NoDeploy writes no deploy jobs: the pipeline ends with publish.
	NoDeploy bool
	// NoReview writes no review environments for merge requests (GitLab).
	NoReview bool
	// NoCluster lists the environments that deploy to no Kubernetes cluster
	// (a Docker host, a Function App): their deploy jobs get no cluster
	// flags, and a review environment needs ReviewEnv to have a cluster.
	NoCluster []string
	// GoVersion and DockerVersion pin the Go toolchain that builds onepipe
	// and the Docker images GitLab jobs run in (defaults: the versions
	// package's).
	GoVersion     string
	DockerVersion string
}

var (
	appPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	pathPattern    = regexp.MustCompile(`^[A-Za-z0-9._][A-Za-z0-9._/-]*$`)
	branchPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	toolPattern    = regexp.MustCompile(`^[0-9][A-Za-z0-9._+-]*$`)
	commandPattern = regexp.MustCompile(`^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$`)
	envPattern     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	changesPattern = regexp.MustCompile(`^[A-Za-z0-9._*?/\[\]{}!-]+$`)
	// modulePattern is a Go module version a build can pin: a release, a
	// pre-release or a pseudo-version; never latest, never build metadata.
	modulePattern = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
	// enginePattern is a runner host the dagger CLI dials: no spaces,
	// quotes, $ or parentheses, which a CI would read as its own syntax.
	enginePattern = regexp.MustCompile(`^(kube-pod|tcp|tls|ssh|unix|docker-image|docker-container|image\+docker|container\+docker)://[A-Za-z0-9._~:/?#@&=%+,-]+$`)
)

// IsModuleVersion reports whether v is a onepipe version a shim can pin.
func IsModuleVersion(v string) bool { return modulePattern.MatchString(v) }

// withDefaults fills the empty fields.
func (d Data) withDefaults() Data {
	if d.App == "" {
		d.App = "app"
	}
	if d.Source == "" {
		d.Source = "."
	}
	if len(d.Branches) == 0 {
		d.Branches = []string{"main"}
	}
	if d.Version == "" {
		d.Version = UnsetVersion
	}
	if d.PreReleaseEnv == "" {
		d.PreReleaseEnv = "dev"
	}
	if d.GoVersion == "" {
		d.GoVersion = versions.Go
	}
	if d.DockerVersion == "" {
		d.DockerVersion = versions.Docker
	}
	return d
}

// Validate checks the fields that end up in YAML and on a shell line; every
// error names the field and says what is allowed.
func (d Data) Validate() error {
	d = d.withDefaults()
	check := func(field, value string, re *regexp.Regexp, allowed string) error {
		if !re.MatchString(value) {
			return fmt.Errorf("%s %q is not usable in a CI file: use %s", field, value, allowed)
		}
		return nil
	}
	errs := []error{
		check("app name", d.App, appPattern, "letters, digits, '.', '_' and '-'"),
		check("source folder", d.Source, pathPattern, "a relative path inside the repository, without spaces or '..'"),
		check("pre-release environment", d.PreReleaseEnv, envPattern, "lowercase letters, digits and dashes, e.g. dev or staging"),
		check("Go version", d.GoVersion, toolPattern, "a release such as 1.26.1"),
		check("Docker version", d.DockerVersion, toolPattern, "a release such as 27.2.0"),
	}
	if d.Version != UnsetVersion && !IsModuleVersion(d.Version) {
		errs = append(errs, fmt.Errorf("onepipe version %q is not a release the pipeline can pin: use one such as v1.2.3 (never latest)", d.Version))
	}
	if slices.Contains(strings.Split(d.Source, "/"), "..") {
		errs = append(errs, fmt.Errorf("source folder %q is outside the repository: use a path inside it, e.g. . or services/shop", d.Source))
	}
	if d.Repository != "" {
		errs = append(errs, imageref.CheckRepository(d.Repository))
	}
	for _, b := range d.Branches {
		errs = append(errs, check("branch", b, branchPattern, "a branch name such as main or release/1.x"))
	}
	for _, e := range d.NoCluster {
		errs = append(errs, check("environment", e, envPattern, "lowercase letters, digits and dashes, e.g. dev or staging"))
	}
	for _, c := range d.Changes {
		errs = append(errs, check("changes path", c, changesPattern, "a path or glob inside the repository, e.g. src/** or requirements*.txt"))
	}
	if d.Command != "" && !commandPattern.MatchString(d.Command) {
		errs = append(errs, fmt.Errorf("onepipe command %q is not usable in a CI file: use one line of printable ASCII, e.g. /usr/local/bin/onepipe", d.Command))
	}
	if d.Engine != "" && !enginePattern.MatchString(d.Engine) {
		errs = append(errs, fmt.Errorf("engine %q is not a Dagger runner host: use kube-pod://POD?namespace=NS&container=C (onepipe engine manifests prints it) or tcp://HOST:PORT", d.Engine))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Pushes reports whether the shim for kind pushes an image: always on GitLab
// (to Repository, else the project's own registry), elsewhere only to
// Repository.
func Pushes(kind Kind, d Data) bool {
	return kind == GitLab || d.Repository != ""
}

// Deploys reports whether the shim for kind has deploy jobs: unless
// NoDeploy, wherever it pushes (the clusters pull what they run).
func Deploys(kind Kind, d Data) bool {
	return !d.NoDeploy && Pushes(kind, d)
}

//go:embed templates/*.yml.tmpl
var templateFS embed.FS

// templates uses [[ ]] as delimiters so that GitHub's ${{ }} and Azure's
// $( ) need no escaping. Its funcs: q quotes a YAML string, include renders
// a named template (steps shared by jobs) and indent shifts it to where a
// job's steps are.
var templates *template.Template

func init() {
	templates = template.Must(template.New("shim").
		Delims("[[", "]]").
		Option("missingkey=error").
		Funcs(template.FuncMap{"q": quote, "include": include, "indent": indent}).
		ParseFS(templateFS, "templates/*.yml.tmpl"))
}

// quote renders s as a YAML double-quoted scalar (JSON strings are YAML).
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// include renders the template name with data.
func include(name string, data any) (string, error) {
	var b strings.Builder
	err := templates.ExecuteTemplate(&b, name, data)
	return b.String(), err
}

// indent puts n spaces before every non-empty line of s.
func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

// Render returns the shim for kind. Empty fields of d take their defaults; a
// field that cannot be written safely into YAML or a shell line is an error.
func Render(kind Kind, d Data) ([]byte, error) {
	if FileName(kind) == "" {
		return nil, fmt.Errorf("unknown CI %q: use gitlab, azure or github", kind)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, string(kind)+".yml.tmpl", d.withDefaults().view(kind)); err != nil {
		return nil, fmt.Errorf("render %s shim: %w", kind, err)
	}
	return buf.Bytes(), nil
}
