// Package config reads onepipe.yaml, the optional settings file at the root of an
// app's source folder. Every field has a default, so an app with a Dockerfile,
// requirements.txt and tests needs no file at all.
package config

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// FileName is the name of the settings file looked up in the source folder.
const FileName = "onepipe.yaml"

// Config is the whole of onepipe.yaml.
type Config struct {
	// App names the application in image repositories and Kubernetes objects.
	// Defaults to the source folder's name.
	App string `json:"app,omitempty"`
	// Runtime is the image test and lint run in. Defaults to the image named by the
	// last FROM of the app's Dockerfile when that is a python image, else python:3.11-slim.
	Runtime string `json:"runtime,omitempty"`
	// Image is the repository images are published to, e.g.
	// registry.gitlab.com/acme/shop or acme.azurecr.io/shop.
	Image string `json:"image,omitempty"`
	// Platforms lists the platforms the image is built for (default linux/amd64).
	Platforms []string `json:"platforms,omitempty"`

	Test     Test     `json:"test,omitempty"`
	Lint     Lint     `json:"lint,omitempty"`
	Release  Release  `json:"release,omitempty"`
	Registry Registry `json:"registry,omitempty"`
	// Environments are the named deployment targets (dev, prod, ...).
	Environments map[string]Environment `json:"environments,omitempty"`
	Deploy       Deploy                 `json:"deploy,omitempty"`
	Azure        Azure                  `json:"azure,omitempty"`
	Cache        Cache                  `json:"cache,omitempty"`
	Scan         Scan                   `json:"scan,omitempty"`
}

// Test configures the test stage.
type Test struct {
	// Command runs the tests; it must write JUnit XML to the path in $JUNIT_XML.
	// Default: pytest --junitxml=$JUNIT_XML.
	Command []string `json:"command,omitempty"`
	// Requirements are extra requirement files installed for tests only
	// (default: requirements-dev.txt and requirements-test.txt when present).
	Requirements []string `json:"requirements,omitempty"`
	// Extra is the extra of pyproject.toml ([project.optional-dependencies])
	// installed for tests, with the project's dependencies. Default: test,
	// else tests, else dev, whichever the project declares.
	Extra string `json:"extra,omitempty"`
}

// Lint configures the lint stage.
type Lint struct {
	// Tool is flake8 or ruff (default: what the project configures — flake8
	// settings in setup.cfg, tox.ini or .flake8, ruff settings in
	// pyproject.toml or ruff.toml — else flake8).
	Tool string `json:"tool,omitempty"`
	// AllowFailure keeps the report of findings but lets the pipeline go on.
	AllowFailure bool `json:"allowFailure,omitempty"`
	// Paths are the files and folders to lint (default: the whole source).
	Paths []string `json:"paths,omitempty"`
}

// Release is the tag policy: which refs are releases and what images get tagged.
type Release struct {
	// TagPattern is the regular expression a git tag must match to be a release
	// (default: vX.Y.Z with an optional pre-release, e.g. v1.2.3 or v1.2.3-rc.1).
	TagPattern string `json:"tagPattern,omitempty"`
	// MovingTags are extra tags (e.g. latest) pushed with every final release;
	// pre-releases never get them.
	MovingTags []string `json:"movingTags,omitempty"`
	// PreReleaseEnvironment is the environment a pre-release tag (v1.2.3-rc.1)
	// deploys to (default dev); final releases (v1.2.3) go to prod. It may
	// name any environment; a protected one still refuses a pre-release
	// without --allow-protected.
	PreReleaseEnvironment string `json:"preReleaseEnvironment,omitempty"`
}

// Cache keeps, in a registry, what a fresh CI engine would otherwise build
// again: the tests' dependency environment, the linter's, the local
// cluster's Kubernetes binaries and base image. Each is an image tagged
// KIND-KEY (a hash of its inputs) and labelled org.onepipe.cache=KIND.
type Cache struct {
	// Repository holds the cache images, e.g.
	// registry.gitlab.com/acme/shop/onepipe-cache (default in CI, when the
	// run pushes: the image repository + /onepipe-cache).
	Repository string `json:"repository,omitempty"`
	// Disabled turns the cache off, also in CI.
	Disabled bool `json:"disabled,omitempty"`
}

// Registry holds the credentials used to push images. Both fields are secret
// references (env:NAME or file:PATH); the username may also be a plain value.
type Registry struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// Environment is one deployment target.
type Environment struct {
	// Namespace is the Kubernetes namespace (default <app>-<environment>).
	Namespace string `json:"namespace,omitempty"`
	// Host is the ingress host name.
	Host string `json:"host,omitempty"`
	// Replicas of the app (default 1).
	Replicas int `json:"replicas,omitempty"`
	// Protected environments deploy only from a release tag or with --allow-protected.
	Protected bool `json:"protected,omitempty"`
	// Vars are plain environment variables given to the app.
	Vars map[string]string `json:"vars,omitempty"`
	// Secrets maps an environment variable name to a secret reference
	// (env:NAME or file:PATH) resolved on the machine running onepipe.
	Secrets map[string]string `json:"secrets,omitempty"`
	// Cluster says where the environment runs.
	Cluster Cluster `json:"cluster,omitempty"`
	// Docker runs the environment on a Docker host instead of a cluster.
	Docker *Docker `json:"docker,omitempty"`
}

// Error is a problem in onepipe.yaml, with the file it came from and, when
// the problem is at one place in the file, its line.
type Error struct {
	File string
	// Line is the 1-based line of the problem, 0 when it has none.
	Line int
	Err  error
}

// Error reads "FILE: line N: problem", leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Parse decodes onepipe.yaml content strictly and validates it. It does not
// apply defaults. Every problem comes back as an *Error without File, with
// the line when it is at one place: the field path and what the field takes,
// e.g. "line 7: environments.dev.replicas: "two" is not a whole number".
// Unknown fields, keys set twice and plain values YAML reads as something
// other than the text written (3.10 as 3.1, no as false) are errors.
func Parse(data []byte) (Config, error) {
	var c Config
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	root, err := parseNode(data)
	if err != nil || root == nil {
		return Config{}, err
	}
	decodeErr := yaml.UnmarshalStrict(data, &c)
	decoded := reflect.ValueOf(&c).Elem()
	if decodeErr != nil {
		decoded = reflect.Value{}
	}
	check := newChecker()
	if err := check.checkRoot(root, reflect.TypeFor[Config](), decoded); err != nil {
		return Config{}, err
	}
	if decodeErr != nil {
		return Config{}, decodeError(data, decodeErr)
	}
	if err := c.Validate(); err != nil {
		return Config{}, &Error{Line: check.lineOf(err.Error()), Err: err}
	}
	return c, nil
}

var appName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Validate checks values that would otherwise fail late, deep inside a stage.
func (c Config) Validate() error {
	if c.App != "" && !appName.MatchString(c.App) {
		return fmt.Errorf("app %q: use lowercase letters, digits and dashes", c.App)
	}
	switch c.Lint.Tool {
	case "", "flake8", "ruff":
	default:
		return fmt.Errorf("lint.tool %q: use flake8 or ruff", c.Lint.Tool)
	}
	if c.Release.TagPattern != "" {
		if _, err := regexp.Compile(c.Release.TagPattern); err != nil {
			return fmt.Errorf("release.tagPattern: %v", err)
		}
	}
	if err := c.Azure.Validate(); err != nil {
		return err
	}
	if err := c.Azure.CheckEnvironments(append(c.EnvironmentNames(), "dev", "prod")); err != nil {
		return err
	}
	if err := c.Deploy.Validate(); err != nil {
		return err
	}
	if err := c.Scan.Validate(); err != nil {
		return err
	}
	for _, name := range c.EnvironmentNames() {
		if !appName.MatchString(name) {
			return fmt.Errorf("environments.%s: use lowercase letters, digits and dashes", name)
		}
		if r := c.Environments[name].Replicas; r < 0 {
			return fmt.Errorf("environments.%s.replicas: %d is negative", name, r)
		}
		if err := c.Environments[name].checkDocker(name); err != nil {
			return err
		}
	}
	return nil
}

// WithDefaults fills what the file left out. dirName is the source folder's name.
func (c Config) WithDefaults(dirName string) Config {
	if c.App == "" {
		c.App = sanitizeName(dirName)
	}
	if len(c.Platforms) == 0 {
		c.Platforms = []string{"linux/amd64"}
	}
	envs := make(map[string]Environment, len(c.Environments)+2)
	for name, e := range c.Environments {
		envs[name] = e
	}
	c.Environments = envs // a copy: defaults never leak into the caller's map
	for _, name := range []string{"dev", "prod"} {
		if _, ok := c.Environments[name]; !ok {
			c.Environments[name] = Environment{Protected: name == "prod"}
		}
	}
	for name, e := range c.Environments {
		if e.Namespace == "" {
			e.Namespace = c.App + "-" + name
		}
		if e.Replicas == 0 {
			e.Replicas = 1
		}
		c.Environments[name] = e
	}
	return c
}

// EnvironmentNames returns the configured environment names, sorted.
func (c Config) EnvironmentNames() []string {
	names := make([]string, 0, len(c.Environments))
	for n := range c.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Environment returns the named environment or an error listing the known ones.
func (c Config) Environment(name string) (Environment, error) {
	e, ok := c.Environments[name]
	if !ok {
		return Environment{}, fmt.Errorf("unknown environment %q: use one of %s (or add it under environments: in %s)",
			name, strings.Join(c.EnvironmentNames(), ", "), FileName)
	}
	return e, nil
}

func sanitizeName(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "app"
	}
	return out
}

func mustAbs(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
