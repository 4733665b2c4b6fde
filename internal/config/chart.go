package config

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Chart is a Helm chart the deploy stage installs instead of the manifests,
// with helm upgrade --install --atomic --wait. Besides the values files of
// the environment, onepipe hands the chart a values file of its own under
// onepipe: (app, environment, namespace, version, image, host, replicas,
// port, vars, migration and, mounted as a secret, secrets: the environment's
// secrets by variable name) and, last, the image as image.repository and
// image.tag (the repository and tag the helm create scaffold reads), which no
// values file overrides.
type Chart struct {
	// Path is a chart folder in the app's source, e.g. deploy/chart; its
	// Chart.yaml gives the chart's name and version.
	Path string `json:"path,omitempty"`
	// Ref is a chart from elsewhere instead: oci://HOST/PATH/NAME, or the
	// name of a chart in the repository Repo.
	Ref string `json:"ref,omitempty"`
	// Repo is the URL of the chart repository Ref names a chart of, e.g.
	// https://charts.example.com (not for oci:// references).
	Repo string `json:"repo,omitempty"`
	// Version pins the version of the chart Ref names, e.g. 1.4.2: required
	// with Ref, and exact (a range such as ^1.4 is refused).
	Version string `json:"version,omitempty"`
	// Release names the Helm release (default: the app's name).
	Release string `json:"release,omitempty"`
	// Values lists, per environment, values files in the app's source,
	// applied in order over the chart's own values.yaml, e.g.
	// {dev: [deploy/chart/values-dev.yaml]}.
	Values map[string][]string `json:"values,omitempty"`
}

var (
	// releaseName is Helm's rule for release names (a DNS subdomain of at
	// most 53 characters).
	releaseName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	// exactVersion is a semantic version, not a range.
	exactVersion = regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	// chartName is a chart's name in a repository.
	chartName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// MaxReleaseName is the longest release name Helm accepts.
const MaxReleaseName = 53

// ReleaseName is Release, or app when it is empty.
func (c Chart) ReleaseName(app string) string {
	if c.Release != "" {
		return c.Release
	}
	return app
}

// Validate checks deploy.chart.
func (c Chart) Validate() error {
	switch {
	case c.Path == "" && c.Ref == "":
		return fmt.Errorf("deploy.chart: set path (a chart folder in the app, e.g. deploy/chart) or ref (a chart reference, with version)")
	case c.Path != "" && c.Ref != "":
		return fmt.Errorf("deploy.chart: path and ref are both set: keep one (path for a chart in the app, ref for a chart from a registry)")
	case c.Path != "":
		if !insideSource(c.Path) {
			return fmt.Errorf("deploy.chart.path %q: use a folder inside the app's source, e.g. deploy/chart", c.Path)
		}
		if c.Version != "" {
			return fmt.Errorf("deploy.chart.version %q: a chart folder's Chart.yaml gives its version: drop deploy.chart.version (it pins the chart of deploy.chart.ref)", c.Version)
		}
		if c.Repo != "" {
			return fmt.Errorf("deploy.chart.repo %q: a chart folder needs no repository: drop deploy.chart.repo (it goes with deploy.chart.ref)", c.Repo)
		}
	default:
		if err := c.validateRef(); err != nil {
			return err
		}
	}
	if c.Release != "" && (len(c.Release) > MaxReleaseName || !releaseName.MatchString(c.Release)) {
		return fmt.Errorf("deploy.chart.release %q: use lowercase letters, digits, dashes and dots, at most %d characters", c.Release, MaxReleaseName)
	}
	envs := make([]string, 0, len(c.Values))
	for env := range c.Values {
		envs = append(envs, env)
	}
	sort.Strings(envs)
	for _, env := range envs {
		if !appName.MatchString(env) {
			return fmt.Errorf("deploy.chart.values.%s: name an environment (lowercase letters, digits and dashes)", env)
		}
		for i, f := range c.Values[env] {
			if strings.TrimSpace(f) == "" || !insideSource(f) || strings.HasSuffix(f, "/") {
				return fmt.Errorf("deploy.chart.values.%s[%d] %q: name a values file inside the app's source, e.g. deploy/chart/values-%s.yaml", env, i, f, env)
			}
		}
	}
	return nil
}

// validateRef checks a chart reference and its version.
func (c Chart) validateRef() error {
	if rest, ok := strings.CutPrefix(c.Ref, "oci://"); ok {
		host, repo, _ := strings.Cut(rest, "/")
		if host == "" || repo == "" || strings.HasSuffix(repo, "/") || !validHostPort(host, repo) {
			return fmt.Errorf("deploy.chart.ref %q: write an OCI chart as oci://HOST/PATH/NAME, without a tag (deploy.chart.version pins it)", c.Ref)
		}
		if c.Repo != "" {
			return fmt.Errorf("deploy.chart.repo %q: an oci:// reference names its registry itself: drop deploy.chart.repo", c.Repo)
		}
	} else {
		if !chartName.MatchString(c.Ref) {
			return fmt.Errorf("deploy.chart.ref %q: use oci://HOST/PATH/NAME, or a chart's name with deploy.chart.repo set to its repository's URL", c.Ref)
		}
		if c.Repo == "" {
			return fmt.Errorf("deploy.chart.ref %q names a chart without a repository: set deploy.chart.repo to the repository's URL (e.g. https://charts.example.com), or use an oci:// reference", c.Ref)
		}
		if u, err := url.Parse(c.Repo); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("deploy.chart.repo %q: use the chart repository's URL, e.g. https://charts.example.com", c.Repo)
		}
	}
	if c.Version == "" {
		return fmt.Errorf("deploy.chart.ref %q has no version: pin one with deploy.chart.version, e.g. 1.4.2, so every run installs the same chart", c.Ref)
	}
	if !exactVersion.MatchString(c.Version) {
		return fmt.Errorf("deploy.chart.version %q: pin an exact version, e.g. 1.4.2 (a range would install whatever is newest)", c.Version)
	}
	return nil
}

// validHostPort allows the one colon of HOST:PORT in an OCI reference; a
// tag (:1.2) or digest (@sha256:...) is not allowed.
func validHostPort(host, repo string) bool {
	if strings.ContainsAny(repo, " :@") || strings.ContainsAny(host, " @") {
		return false
	}
	_, port, ok := strings.Cut(host, ":")
	if !ok {
		return true
	}
	for _, r := range port {
		if r < '0' || r > '9' {
			return false
		}
	}
	return port != ""
}

// insideSource reports whether p names a path inside the app's source.
func insideSource(p string) bool {
	clean := path.Clean(strings.ReplaceAll(p, `\`, "/"))
	return !path.IsAbs(clean) && clean != ".." && !strings.HasPrefix(clean, "../")
}
