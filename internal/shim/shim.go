// Package shim renders the small CI files that hand a GitLab, Azure DevOps or
// GitHub Actions pipeline over to onepipe: one job (or step) whose script is a
// single onepipe line, with the engine, credentials and JUnit reports wired the
// way each CI expects. Every shim comes from one embedded template per CI, so
// `onepipe init` and the committed examples can never drift apart.
package shim

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"github.com/onepipe/onepipe/internal/versions"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/onepipe/onepipe/internal/imageref"
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

// Defaults used for every empty Data field.
const (
	// Module is the Go package `go run` builds onepipe from.
	Module = "github.com/onepipe/onepipe/cmd/onepipe"
	// OutDir is where the job asks onepipe to write its reports (JUnit XML,
	// lint findings), relative to the repository root.
	OutDir = ".onepipe/out"
	// UsernameVar and PasswordVar are the CI secret variables the shims read
	// registry credentials from when publishing to a registry of your own.
	UsernameVar = "REGISTRY_USERNAME"
	PasswordVar = "REGISTRY_PASSWORD"
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
	// on Azure DevOps and GitHub Actions.
	Repository string
	// Branches are the branches whose pushes run the pipeline (default main).
	// Tags starting with v always do, on every CI alike (GitLab:
	// $CI_COMMIT_TAG =~ /^v/, Azure DevOps: v*, GitHub Actions: v**), and the
	// shims pass nothing about them: onepipe decides from the tag whether it
	// is a release (v1.2.3: prod, moving tags) or a pre-release (v1.2.3-rc.1:
	// release.preReleaseEnvironment, its own tag only).
	Branches []string
	// Version is the onepipe release the job runs (default latest).
	Version string
	// Command is how the job runs onepipe, e.g. the path of an installed binary
	// (default: go run github.com/onepipe/onepipe/cmd/onepipe@VERSION).
	Command string
	// DaggerVersion, GoVersion and DockerVersion pin the tools the job
	// installs (defaults: the constants of the same names).
	DaggerVersion string
	GoVersion     string
	DockerVersion string
}

var (
	appPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	pathPattern    = regexp.MustCompile(`^[A-Za-z0-9._][A-Za-z0-9._/-]*$`)
	branchPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)
	commandPattern = regexp.MustCompile(`^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$`)
)

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
		d.Version = "latest"
	}
	if d.Command == "" {
		d.Command = "go run " + Module + "@" + d.Version
	}
	if d.DaggerVersion == "" {
		d.DaggerVersion = versions.Dagger
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
		check("onepipe version", d.Version, versionPattern, "latest or a release such as v1.2.3"),
		check("Dagger version", d.DaggerVersion, versionPattern, "a release such as 0.21.8"),
		check("Go version", d.GoVersion, versionPattern, "a release such as 1.26.1"),
		check("Docker version", d.DockerVersion, versionPattern, "a release such as 27.2.0"),
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
	if !commandPattern.MatchString(d.Command) {
		errs = append(errs, fmt.Errorf("onepipe command %q is not usable in a CI file: use one line of printable ASCII, e.g. /usr/local/bin/onepipe", d.Command))
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

// view is what the templates see: the data with defaults, plus the derived
// pieces that would otherwise be spelled out in three templates.
type view struct {
	Data
	// Publish are the onepipe flags that say where the image goes ("" for none).
	Publish string
	// UsernameVar and PasswordVar name the secret variables (when Repository is set).
	UsernameVar, PasswordVar string
	OutDir                   string
}

func (d Data) view() view {
	v := view{Data: d, OutDir: OutDir}
	if d.Repository != "" {
		v.UsernameVar, v.PasswordVar = UsernameVar, PasswordVar
		v.Publish = fmt.Sprintf("--publish %s --registry-username env:%s --registry-password env:%s", d.Repository, UsernameVar, PasswordVar)
	}
	return v
}

//go:embed templates/*.yml.tmpl
var templateFS embed.FS

// templates uses [[ ]] as delimiters so that GitHub's ${{ }} and Azure's
// $( ) need no escaping.
var templates = template.Must(template.New("shim").
	Delims("[[", "]]").
	Option("missingkey=error").
	Funcs(template.FuncMap{"q": quote}).
	ParseFS(templateFS, "templates/*.yml.tmpl"))

// quote renders s as a YAML double-quoted scalar (JSON strings are YAML).
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
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
	if err := templates.ExecuteTemplate(&buf, string(kind)+".yml.tmpl", d.withDefaults().view()); err != nil {
		return nil, fmt.Errorf("render %s shim: %w", kind, err)
	}
	return buf.Bytes(), nil
}
