package config

import (
	"strings"
	"testing"
)

func TestChartValidate(t *testing.T) {
	tests := []struct {
		name string
		c    Chart
		want string
	}{
		{"folder", Chart{Path: "deploy/chart", Release: "shop.web", Values: map[string][]string{"dev": {"deploy/chart/values-dev.yaml"}}}, ""},
		{"oci", Chart{Ref: "oci://registry.example.com:5000/charts/web", Version: "1.4.2"}, ""},
		{"repository", Chart{Ref: "web", Repo: "https://charts.example.com", Version: "v0.3.0-rc.1"}, ""},
		{"neither", Chart{}, "deploy.chart: set path (a chart folder in the app, e.g. deploy/chart) or ref (a chart reference, with version)"},
		{"both", Chart{Path: "deploy/chart", Ref: "oci://r.example.com/web", Version: "1.0.0"}, "deploy.chart: path and ref are both set: keep one (path for a chart in the app, ref for a chart from a registry)"},
		{"path outside", Chart{Path: "../charts/web"}, `deploy.chart.path "../charts/web": use a folder inside the app's source, e.g. deploy/chart`},
		{"path absolute", Chart{Path: "/charts/web"}, `deploy.chart.path "/charts/web": use a folder inside the app's source, e.g. deploy/chart`},
		{"version with path", Chart{Path: "deploy/chart", Version: "1.0.0"}, `deploy.chart.version "1.0.0": a chart folder's Chart.yaml gives its version: drop deploy.chart.version (it pins the chart of deploy.chart.ref)`},
		{"repo with path", Chart{Path: "deploy/chart", Repo: "https://charts.example.com"}, `deploy.chart.repo "https://charts.example.com": a chart folder needs no repository: drop deploy.chart.repo (it goes with deploy.chart.ref)`},
		{"ref without version", Chart{Ref: "oci://r.example.com/charts/web"}, `deploy.chart.ref "oci://r.example.com/charts/web" has no version: pin one with deploy.chart.version, e.g. 1.4.2, so every run installs the same chart`},
		{"version range", Chart{Ref: "oci://r.example.com/charts/web", Version: "^1.4"}, `deploy.chart.version "^1.4": pin an exact version, e.g. 1.4.2 (a range would install whatever is newest)`},
		{"version wildcard", Chart{Ref: "oci://r.example.com/charts/web", Version: "1.4.x"}, `deploy.chart.version "1.4.x": pin an exact version, e.g. 1.4.2 (a range would install whatever is newest)`},
		{"oci with tag", Chart{Ref: "oci://r.example.com/charts/web:1.4.2", Version: "1.4.2"}, `deploy.chart.ref "oci://r.example.com/charts/web:1.4.2": write an OCI chart as oci://HOST/PATH/NAME, without a tag (deploy.chart.version pins it)`},
		{"oci without path", Chart{Ref: "oci://r.example.com", Version: "1.4.2"}, `deploy.chart.ref "oci://r.example.com": write an OCI chart as oci://HOST/PATH/NAME, without a tag (deploy.chart.version pins it)`},
		{"oci with repo", Chart{Ref: "oci://r.example.com/web", Repo: "https://charts.example.com", Version: "1.4.2"}, `deploy.chart.repo "https://charts.example.com": an oci:// reference names its registry itself: drop deploy.chart.repo`},
		{"name without repo", Chart{Ref: "web", Version: "1.4.2"}, `deploy.chart.ref "web" names a chart without a repository: set deploy.chart.repo to the repository's URL (e.g. https://charts.example.com), or use an oci:// reference`},
		{"repo alias", Chart{Ref: "bitnami/nginx", Repo: "https://charts.example.com", Version: "1.4.2"}, `deploy.chart.ref "bitnami/nginx": use oci://HOST/PATH/NAME, or a chart's name with deploy.chart.repo set to its repository's URL`},
		{"repo not a URL", Chart{Ref: "web", Repo: "charts.example.com", Version: "1.4.2"}, `deploy.chart.repo "charts.example.com": use the chart repository's URL, e.g. https://charts.example.com`},
		{"release", Chart{Path: "deploy/chart", Release: "Shop"}, `deploy.chart.release "Shop": use lowercase letters, digits, dashes and dots, at most 53 characters`},
		{"release too long", Chart{Path: "deploy/chart", Release: strings.Repeat("a", 54)}, `deploy.chart.release "` + strings.Repeat("a", 54) + `": use lowercase letters, digits, dashes and dots, at most 53 characters`},
		{"values environment", Chart{Path: "deploy/chart", Values: map[string][]string{"Dev": {"v.yaml"}}}, "deploy.chart.values.Dev: name an environment (lowercase letters, digits and dashes)"},
		{"values outside", Chart{Path: "deploy/chart", Values: map[string][]string{"dev": {"v.yaml", "../secrets.yaml"}}}, `deploy.chart.values.dev[1] "../secrets.yaml": name a values file inside the app's source, e.g. deploy/chart/values-dev.yaml`},
		{"values empty", Chart{Path: "deploy/chart", Values: map[string][]string{"prod": {" "}}}, `deploy.chart.values.prod[0] " ": name a values file inside the app's source, e.g. deploy/chart/values-prod.yaml`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deployErrText(tt.c.Validate()); got != tt.want {
				t.Errorf("Validate()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestChartReleaseName(t *testing.T) {
	if got := (Chart{}).ReleaseName("flask"); got != "flask" {
		t.Errorf("default release = %q", got)
	}
	if got := (Chart{Release: "conduit"}).ReleaseName("flask"); got != "conduit" {
		t.Errorf("release = %q", got)
	}
}

// TestParseChart: deploy.chart parses strictly, and its problems name the
// line they are on.
func TestParseChart(t *testing.T) {
	c, err := Parse([]byte("deploy:\n  chart:\n    path: deploy/chart\n    values:\n      dev: [deploy/chart/values-dev.yaml]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Deploy.Chart == nil || c.Deploy.Chart.Path != "deploy/chart" || c.Deploy.Chart.Values["dev"][0] != "deploy/chart/values-dev.yaml" {
		t.Errorf("chart = %+v", c.Deploy.Chart)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"deploy:\n  manifests: deploy/k8s\n  chart:\n    path: deploy/chart\n", "line 3: deploy.chart and deploy.manifests are both set: keep one (the chart replaces the manifests)"},
		{"deploy:\n  chart:\n    path: deploy/chart\n    values:\n      dev: deploy/chart/values-dev.yaml\n", `line 5: deploy.chart.values.dev: "deploy/chart/values-dev.yaml" is not a list of strings: write it as a list, e.g. [deploy/chart/values-dev.yaml]`},
		{"deploy:\n  chart:\n    ref: oci://r.example.com/charts/web\n    version: 1.10\n", `line 4: deploy.chart.version: 1.10 is read as "1.1": write it in quotes ("1.10") to keep it as written`},
		{"deploy:\n  chart:\n    ref: oci://r.example.com/charts/web\n    version: \"1.4\"\n", `line 4: deploy.chart.version "1.4": pin an exact version, e.g. 1.4.2 (a range would install whatever is newest)`},
		{"deploy:\n  chart:\n    chart: deploy/chart\n", `line 3: unknown field "chart"`},
		{"deploy:\n  chart: deploy/chart\n", `line 2: deploy.chart: "deploy/chart" is not a mapping`},
	} {
		_, err := Parse([]byte(tt.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q)\n got %v\nwant prefix %q", tt.yaml, err, tt.want)
		}
	}
}
