package helm

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"sigs.k8s.io/yaml"
)

// ChartFile is the part of a chart's Chart.yaml onepipe reads.
type ChartFile struct {
	APIVersion   string `json:"apiVersion"`
	Name         string `json:"name"`
	Version      string `json:"version"`
	AppVersion   string `json:"appVersion,omitempty"`
	Dependencies []struct {
		Name string `json:"name"`
	} `json:"dependencies,omitempty"`
}

// ReadChart reads and checks the Chart.yaml of the chart folder dir in
// fsys; field names the setting that chose dir, for messages.
func ReadChart(fsys fs.FS, dir, field string) (ChartFile, error) {
	st, err := fs.Stat(fsys, dir)
	if err != nil {
		return ChartFile{}, fmt.Errorf("%s %s: not found: put the app's Helm chart there (helm create makes one) or change %s", field, dir, field)
	}
	if !st.IsDir() {
		return ChartFile{}, fmt.Errorf("%s %s: is a file: name the chart's folder, the one holding Chart.yaml", field, dir)
	}
	file := path.Join(dir, "Chart.yaml")
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return ChartFile{}, fmt.Errorf("%s %s: no Chart.yaml: a Helm chart folder starts with one (name, version; helm create makes one)", field, dir)
	}
	if _, err := readMapping(data, file); err != nil {
		return ChartFile{}, err
	}
	var c ChartFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		return ChartFile{}, fmt.Errorf("%s: apiVersion, name, version and appVersion must be text, dependencies a list of mappings", file)
	}
	switch {
	case c.Name == "":
		return ChartFile{}, fmt.Errorf("%s: no name: give the chart a name", file)
	case c.Version == "":
		return ChartFile{}, fmt.Errorf("%s: no version: give the chart a version, e.g. version: 0.1.0", file)
	case c.APIVersion != "v2" && c.APIVersion != "v1":
		return ChartFile{}, fmt.Errorf("%s: apiVersion %q: use v2 (Helm 3 charts)", file, c.APIVersion)
	}
	if len(c.Dependencies) > 0 {
		// the deploy installs the folder as it is: helm fetches nothing
		if _, err := fs.Stat(fsys, path.Join(dir, "charts")); err != nil {
			return ChartFile{}, fmt.Errorf("%s: depends on chart %s, but %s/charts is missing: run helm dependency build %s and keep %s/charts with the app", file, c.Dependencies[0].Name, dir, dir, dir)
		}
	}
	return c, nil
}

// CheckValuesFile checks that a values file exists and is a YAML mapping.
func CheckValuesFile(fsys fs.FS, file, field string) error {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return fmt.Errorf("%s %s: not found: add the values file, or drop it from %s", field, file, field)
	}
	_, err = readMapping(data, file)
	return err
}

// readMapping reads a YAML file that must be a mapping (or empty).
func readMapping(data []byte, file string) (map[string]any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		msg := oneLine(err.Error())
		msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
		msg = strings.TrimPrefix(msg, "yaml: ")
		return nil, fmt.Errorf("%s: invalid YAML: %s", file, msg)
	}
	switch m := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return m, nil
	case []any:
		return nil, fmt.Errorf("%s: is a list: write it as a mapping of names to values, e.g. replicas: 2", file)
	}
	return nil, fmt.Errorf("%s: is a single value: write it as a mapping of names to values, e.g. replicas: 2", file)
}
